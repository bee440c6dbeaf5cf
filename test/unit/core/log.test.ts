/** Redaction (src/core/log.ts): no credential reaches a log line, whatever shape it arrives in. */
import * as assert from 'node:assert/strict';
import { Logger, Redactor, redactingLogger, silentLogger } from '../../../src/core/log';

const M = '«redacted»';

describe('log redaction', () => {
  it('masks every registered secret wherever it appears, and ignores values shorter than 4', () => {
    const r = new Redactor();
    r.add('s3cr3t-value');
    r.add('abc');
    r.add('abcd');
    r.add(undefined);
    r.add('');
    assert.equal(r.redact('a s3cr3t-value b s3cr3t-value'), `a ${M} b ${M}`);
    assert.equal(r.redact('abc'), 'abc', 'three characters are not registered');
    assert.equal(r.redact('xabcdx'), `x${M}x`, 'four characters are');
  });

  it('masks credentials it was never told about, however spaced: headers, bearer tokens, PostHog keys, query and JSON secrets, S3 signatures', () => {
    const r = new Redactor();
    const cases: [string, string][] = [
      ['Authorization: Bearer abc.def-123', `Authorization: Bearer ${M}`],
      ['authorization: basic dXNlcjpwYXNz, next', `authorization: basic ${M}, next`],
      ['sent bearer eyJhbGciOiJIUzI1NiJ9 to', `sent bearer ${M} to`],
      ['bearer short', 'bearer short'],
      ['authorization:Bearer abc', `authorization:Bearer ${M}`],
      ['Authorization: Basic   dXNl', `Authorization: Basic   ${M}`],
      ['sent bearer   eyJhbGciOiJIUzI1NiJ9', `sent bearer   ${M}`],
      ['key phx_abcdefgh1234 used', `key phx_${M} used`],
      ['phx_short', 'phx_short'],
      ['GET /x?access_token=t0k3n&y=1', `GET /x?access_token=${M}&y=1`],
      ['/t?client_secret=cs&refresh_token=rt#f', `/t?client_secret=${M}&refresh_token=${M}#f`],
      ['?token=a&api_key=b&personal_api_key=c&password=d', `?token=${M}&api_key=${M}&personal_api_key=${M}&password=${M}`],
      ['?PASSWORD=x', `?PASSWORD=${M}`],
      ['https://s3/x.gz?X-Amz-Signature=abc&X-Amz-Credential=def&X-Amz-Security-Token=ghi&Signature=jkl&sig=mno', `https://s3/x.gz?X-Amz-Signature=${M}&X-Amz-Credential=${M}&X-Amz-Security-Token=${M}&Signature=${M}&sig=${M}`],
      ['&x-amz-security-token=zzz', `&x-amz-security-token=${M}`],
      ['{"access_token": "at", "client_secret":"cs", "refresh_token" : "rt", "api_key":"k", "personal_api_key":"p", "Password":"pw"}', `{"access_token": "${M}", "client_secret":"${M}", "refresh_token" : "${M}", "api_key":"${M}", "personal_api_key":"${M}", "Password":"${M}"}`],
      ['?tokens=a', '?tokens=a'],
      ['{"token_type":"bearer"}', '{"token_type":"bearer"}'],
    ];
    for (const [input, want] of cases) assert.equal(r.redact(input), want, input);
  });

  it('redactingLogger redacts every level and passes each line to the same level', () => {
    const got: string[] = [];
    const inner: Logger = {
      trace: (m) => got.push(`trace ${m}`),
      debug: (m) => got.push(`debug ${m}`),
      info: (m) => got.push(`info ${m}`),
      warn: (m) => got.push(`warn ${m}`),
      error: (m) => got.push(`error ${m}`),
    };
    const r = new Redactor();
    r.add('topsecret');
    const log = redactingLogger(inner, r);
    log.trace('1 topsecret');
    log.debug('2 topsecret');
    log.info('3 topsecret');
    log.warn('4 topsecret');
    log.error('5 topsecret');
    assert.deepEqual(got, [`trace 1 ${M}`, `debug 2 ${M}`, `info 3 ${M}`, `warn 4 ${M}`, `error 5 ${M}`]);
    for (const level of ['trace', 'debug', 'info', 'warn', 'error'] as const) assert.equal(silentLogger[level]('x'), undefined);
  });
});
