/** `hf:ORG/REPO[/PATH]` -> its parts. Pure. */
export interface HfSource {
  repo: string;
  path?: string;
}

export function parseHfSource(source: string): HfSource {
  const rest = source.replace(/^hf:/, '');
  const [org = '', name = '', ...path] = rest.split('/');
  return path.length ? { repo: `${org}/${name}`, path: path.join('/') } : { repo: `${org}/${name}` };
}
