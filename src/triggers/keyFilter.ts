// Which keys a trigger reports: a suffix and a glob, matched against the whole key.

/** `*` any text without `/`, `**` any text, `?` one character other than `/`; everything else literal. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[\\^$.|+(){}[\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'su');
}

export interface KeyFilter {
  suffix?: string;
  glob?: string;
}

/** A predicate on keys; folder markers (a key ending in / with no content) never match. */
export function keyMatcher(filter: KeyFilter): (key: string, size: number) => boolean {
  const re = filter.glob === undefined ? undefined : globToRegExp(filter.glob);
  return (key, size) => {
    if (key.endsWith('/') && size === 0) return false;
    if (filter.suffix !== undefined && !key.endsWith(filter.suffix)) return false;
    return re === undefined || re.test(key);
  };
}
