/**
 * `init` templates: plain files under `<package>/templates/<name>/` that mirror `NAME/feature_repo/`,
 * with `{{placeholder}}`s. They are data, so tests and examples load them directly (CONTRIBUTING.md convention 14).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynafeastError } from '../errors.js';

export const TEMPLATE_NAMES = ['local', 'aws'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/**
 * `<package>/templates`. NOTE: this file sits at src/core/init/ when run from source (tests) and at
 * dist/core/init/ once compiled; both are three levels below the package root.
 */
export function templatesRoot(): string {
  return fileURLToPath(new URL('../../../templates/', import.meta.url));
}

export type TemplateVars = Record<string, string>;

export interface InitTemplateInput {
  project: string;
  /** The NAME folder (README's `cd NAME/feature_repo`). */
  name: string;
  /** Embedded DynamoDB port (local template). */
  port: number;
  /** Region and its end-of-line YAML comment (aws template). */
  region?: { value: string; comment: string };
}

/**
 * The placeholders templates may use: {{project}}, {{name}}, {{port}}, {{region}}, {{region_comment}}.
 * Values are plain YAML scalars by construction (checked project name and region, a number).
 */
export function initTemplateVars(input: InitTemplateInput): TemplateVars {
  return {
    project: input.project,
    name: input.name,
    port: String(input.port),
    region: input.region?.value ?? '',
    region_comment: input.region?.comment ?? '',
  };
}

const PLACEHOLDER_RE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Fills every `{{name}}`; a placeholder without a value is a bug in the template or its caller. */
export function renderTemplate(text: string, vars: TemplateVars, file = 'template'): string {
  return text.replace(PLACEHOLDER_RE, (_match, name: string, offset: number) => {
    const value = vars[name];
    if (value === undefined) {
      const line = text.slice(0, offset).split('\n').length;
      throw new DynafeastError('internal', `template ${file} uses {{${name}}}, which has no value`, {
        location: { file, line },
        hint: `known placeholders: ${Object.keys(vars).sort().join(', ')}`,
      });
    }
    return value;
  });
}

/** Relative paths (with `/`) of every file under `dir`, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

export interface RenderedFile {
  /** Relative to the feature repo, with `/`. */
  path: string;
  content: string;
}

/** Reads and renders every file of one template. */
export async function renderTemplateDir(template: TemplateName, vars: TemplateVars, root: string = templatesRoot()): Promise<RenderedFile[]> {
  const dir = path.join(root, template);
  let files: string[];
  try {
    files = await listFiles(dir);
  } catch (e) {
    throw new DynafeastError('internal', `the "${template}" template is missing: cannot read ${dir}`, {
      hint: 'reinstall dynafeast; the package ships its templates/ folder',
      cause: e,
    });
  }
  const rendered: RenderedFile[] = [];
  for (const file of files) {
    const text = await readFile(path.join(dir, file), 'utf8');
    rendered.push({ path: file, content: renderTemplate(text, vars, `templates/${template}/${file}`) });
  }
  return rendered;
}
