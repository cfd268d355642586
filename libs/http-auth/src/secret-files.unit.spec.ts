import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withSecretFiles } from './secret-files';

describe('secrets from files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secret-files-'));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('reads NAME_FILE into NAME, dropping one trailing newline', () => {
    const { env, problems } = withSecretFiles(
      { TOKEN_FILE: file('token', 's3cret-value\n'), OTHER: 'kept' },
      ['TOKEN'],
    );
    expect(problems).toEqual([]);
    expect(env.TOKEN).toBe('s3cret-value');
    expect(env.OTHER).toBe('kept');
  });

  it('keeps inner whitespace and leaves variables without a file alone', () => {
    const { env } = withSecretFiles({ A_FILE: file('a', 'x y\n\n'), B: 'inline' }, ['A', 'B']);
    expect(env.A).toBe('x y\n');
    expect(env.B).toBe('inline');
  });

  it('refuses both forms at once and names the variable', () => {
    const { problems } = withSecretFiles({ T: 'inline', T_FILE: file('t', 'from-file') }, ['T']);
    expect(problems).toEqual(['T_FILE: set T or T_FILE, not both']);
  });

  it('names the variable and path of a file it cannot read, never content', () => {
    const { problems } = withSecretFiles({ T_FILE: join(dir, 'missing') }, ['T']);
    expect(problems).toEqual([`T_FILE: cannot read ${join(dir, 'missing')} (ENOENT)`]);
  });

  it('ignores NAME_FILE of a variable that is not a secret', () => {
    const { env } = withSecretFiles({ PORT_FILE: file('p', '1') }, ['T']);
    expect(env.PORT).toBeUndefined();
  });
});
