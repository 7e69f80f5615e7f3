// A second process that puts 64 concurrent connections on one URL for a few seconds.
import autocannon from 'autocannon';

const [url, token, seconds] = process.argv.slice(2) as [string, string, string];
const result = await autocannon({ url, connections: 64, duration: Number(seconds), headers: { authorization: `Bearer ${token}` } });
console.log(JSON.stringify({
  rps: result.requests.average, p50: result.latency.p50, p97_5: result.latency.p97_5, p99: result.latency.p99,
  errors: result.errors, non2xx: result.non2xx,
}));
