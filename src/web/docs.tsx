// /docs: the OpenAPI document rendered as a plain page, server-side and without scripts or
// CDN assets, so it reads on a closed network.
import type { FC } from 'hono/jsx';

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string }>;
}

export interface OpenApiDoc {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
}

const METHODS = ['get', 'post', 'put', 'delete', 'patch'];

const Page: FC<{ doc: OpenApiDoc }> = ({ doc }) => {
  const byTag = new Map<string, { method: string; path: string; op: Operation }[]>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = ops[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'service';
      const list = byTag.get(tag) ?? [];
      list.push({ method, path, op });
      byTag.set(tag, list);
    }
  }
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>{doc.info.title} — API</title>
        <style>{`
          body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#1b1f24}
          h1{margin-bottom:.2rem} h2{border-bottom:1px solid #d0d7de;padding-bottom:.2rem;margin-top:2rem;text-transform:capitalize}
          .op{border:1px solid #d0d7de;border-radius:6px;margin:.6rem 0;padding:.5rem .8rem}
          .m{display:inline-block;min-width:4.2rem;font-weight:700;text-transform:uppercase;font-family:monospace}
          .get{color:#0969da}.post{color:#1a7f37}.put{color:#9a6700}.delete{color:#cf222e}
          code,.p{font-family:ui-monospace,monospace} details{margin-top:.3rem} pre{background:#f6f8fa;padding:.5rem;overflow:auto;font-size:12px}
          .lock{color:#57606a;font-size:12px}
        `}</style>
      </head>
      <body>
        <h1>{doc.info.title}</h1>
        <p>
          Version {doc.info.version}. {doc.info.description} The machine-readable document is at{' '}
          <a href="/openapi.json">/openapi.json</a>. Authenticate with <code>Authorization: Bearer &lt;token&gt;</code>.
        </p>
        {[...byTag.entries()].map(([tag, ops]) => (
          <section>
            <h2>{tag}</h2>
            {ops.map(({ method, path, op }) => (
              <div class="op" id={`${method}-${path}`}>
                <span class={`m ${method}`}>{method}</span> <span class="p">{path}</span>{' '}
                {op.security && op.security.length > 0 ? <span class="lock">(token)</span> : null}
                <div>{op.summary}</div>
                {op.description ? <div>{op.description}</div> : null}
                {op.parameters && op.parameters.length > 0 ? (
                  <div>
                    Parameters:{' '}
                    {op.parameters.map((p, i) => (
                      <span>
                        {i > 0 ? ', ' : ''}
                        <code>{p.name}</code> ({p.in}{p.required ? ', required' : ''})
                      </span>
                    ))}
                  </div>
                ) : null}
                {op.requestBody?.content ? (
                  <details>
                    <summary>Request body: {Object.keys(op.requestBody.content).join(', ')}</summary>
                    {Object.entries(op.requestBody.content).map(([type, c]) => (
                      <pre>{type}{'\n'}{JSON.stringify(c.schema ?? {}, null, 2)}</pre>
                    ))}
                  </details>
                ) : null}
                {op.responses ? (
                  <div>
                    Responses:{' '}
                    {Object.entries(op.responses).map(([status, r], i) => (
                      <span>{i > 0 ? '; ' : ''}<b>{status}</b> {r.description}</span>
                    ))}
                  </div>
                ) : null}
              </div>
            ))}
          </section>
        ))}
      </body>
    </html>
  );
};

export function renderDocs(doc: OpenApiDoc): string {
  return '<!doctype html>' + String(<Page doc={doc} />);
}
