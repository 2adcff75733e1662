import { describe, expect, it } from 'vitest';
import { formatRoute, parseRoute } from './router';

describe('routes', () => {
  it('parses and formats the dashboard paths', () => {
    expect(parseRoute('/')).toEqual({ view: 'cluster' });
    expect(parseRoute('/nodes/whatever')).toEqual({ view: 'cluster' });
    expect(parseRoute('/jobs')).toEqual({ view: 'jobs' });
    expect(parseRoute('/jobs/abc?x=1')).toEqual({ view: 'jobs', jobId: 'abc' });
    expect(parseRoute('/jobs/abc/logs')).toEqual({ view: 'jobs', jobId: 'abc', tab: 'logs' });
    expect(parseRoute('/jobs/abc/bogus')).toEqual({ view: 'jobs', jobId: 'abc' });
    expect(parseRoute('/jobs/a%2Fb')).toEqual({ view: 'jobs', jobId: 'a/b' });
    for (const p of ['/', '/jobs', '/jobs/abc', '/jobs/abc/logs', '/jobs/abc/pipeline', '/jobs/a%2Fb'])
      expect(formatRoute(parseRoute(p))).toBe(p);
    expect(formatRoute({ view: 'jobs', jobId: 'x', tab: 'steps' })).toBe('/jobs/x');
  });
});
