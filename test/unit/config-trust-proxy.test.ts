import { loadConfig } from '../../server/config';

const trustProxy = (value?: string) => loadConfig({ NODE_ENV: 'test', ...(value === undefined ? {} : { TRUST_PROXY: value }) }).trustProxy;

describe('TRUST_PROXY', () => {
  it('is off unless set', () => expect(trustProxy()).toBe(false));

  it.each([
    ['true', true], ['FALSE', false], ['1', 1], ['2', 2], ['loopback', 'loopback'],
    ['10.0.0.0/8, 192.168.1.5', '10.0.0.0/8,192.168.1.5'], ['loopback,uniquelocal,fd00::/8', 'loopback,uniquelocal,fd00::/8'],
    ['172.16.0.0/255.240.0.0', '172.16.0.0/255.240.0.0'],
  ])('takes %s as express does', (text, value) => expect(trustProxy(text)).toEqual(value));

  it.each(['yes', 'localhost', '10.0.0.0/33', '300.1.1.1', 'loopback,,10.0.0.1', ''])('stops start-up on %p, naming the setting', (text) => {
    expect(() => trustProxy(text)).toThrow(/TRUST_PROXY/);
  });
});
