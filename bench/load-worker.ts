// A second process that puts 64 concurrent connections on one URL for a few seconds.
// autocannon's summary has no p95, so every response time is kept and p95 is exact.
import autocannon from 'autocannon';

const [url, token, seconds] = process.argv.slice(2) as [string, string, string];
const times: number[] = [];
const result = await new Promise<autocannon.Result>((resolve, reject) => {
  const instance = autocannon({ url, connections: 64, duration: Number(seconds), headers: { authorization: `Bearer ${token}` } },
    (err, res) => (err ? reject(err as Error) : resolve(res)));
  instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
});
times.sort((a, b) => a - b);
const pct = (p: number) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)] ?? NaN;
console.log(JSON.stringify({
  rps: result.requests.average, p50: result.latency.p50, p95: pct(95), p97_5: result.latency.p97_5, p99: result.latency.p99,
  errors: result.errors, non2xx: result.non2xx,
}));
