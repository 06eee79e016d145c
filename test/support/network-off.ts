import nock from 'nock';

// Tests never reach the network: only the app under test on loopback is allowed.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
