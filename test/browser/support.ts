import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { chromium, BrowserContext, Page } from 'playwright-core';
import { openTestDb, TestDb } from '../support/db';
import { testApp } from '../support/app';
import { Db } from '../../server/db';
import { Config } from '../../server/config';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(__dirname, '..', '..', 'test-results', 'screenshots');

// Headless flags that keep Chromium off the network (no updates, sync or QUIC probes) in CI.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export type BrowserHarness = {
  db: Db;
  baseUrl: string;
  page: Page;
  context: BrowserContext;
  /** Saves test-results/screenshots/<name>.png (the whole page) and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
};

/**
 * The real app on a fresh database, on a loopback port, and one Chromium page the size of a
 * landscape tablet with touch (the shop floor's device) but a desktop user agent.
 */
export async function startBrowserHarness(configFor: (baseUrl: string) => Partial<Config> = () => ({})): Promise<BrowserHarness> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get update && apt-get install -y chromium`);
  let testDb: TestDb | undefined;
  let server: http.Server | undefined;
  let context: BrowserContext | undefined;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'perpetua-chromium-'));

  async function close() {
    await context?.close().catch(() => undefined);
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    await testDb?.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }

  try {
    testDb = await openTestDb();
    // Listening first: configuration such as Xero's redirect URI needs the port.
    let app: ReturnType<typeof testApp> | undefined;
    server = http.createServer((req, res) => app!(req, res));
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${port}`;
    app = testApp(testDb.db, configFor(baseUrl));

    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      viewport: { width: 1024, height: 768 },
      hasTouch: true,
      isMobile: false,
      baseURL: baseUrl,
    });
    context.setDefaultTimeout(10_000);
    const page = context.pages()[0] ?? (await context.newPage());
    fs.mkdirSync(SCREENSHOTS, { recursive: true });

    return {
      db: testDb.db,
      baseUrl,
      page,
      context,
      async screenshot(name) {
        const file = path.join(SCREENSHOTS, `${name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        return file;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
