// The BOM media type a file's name (or first bytes) suggests, for the CLI.
export function mediaTypeForFile(path: string, head: Buffer): string {
  if (/\.(csv|tsv|txt)$/i.test(path)) return 'text/csv';
  if (/\.cdx\.json$/i.test(path) || /\.cyclonedx\.json$/i.test(path)) return 'application/vnd.cyclonedx+json';
  if (/\.json$/i.test(path)) return 'application/json';
  const start = head.subarray(0, 64).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return start.startsWith('{') ? 'application/json' : 'text/csv';
}
