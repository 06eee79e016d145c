import nock from 'nock';

// Each test file loads its own nock, but the interceptor it installs on Node's http modules is
// process-wide: left active, a file's nock (net connect disabled, none of the next file's
// interceptors) answers the next file's requests in the same jest worker. So it is removed when
// the file ends.
afterAll(() => {
  nock.cleanAll();
  nock.restore();
});
