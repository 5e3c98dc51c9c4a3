/**
 * ESLint rule `weir/import-boundaries`: enforces the "who may import whom" table of
 * DESIGN.md §2 ("Layout and boundaries") for every file under src/.
 *
 * - Each file under src/ belongs to a layer (LAYERS below, first match wins). A relative
 *   import that resolves into src/ must land in a part the importer's layer allows.
 * - Some layers are sans-I/O and may not import node built-ins that do I/O or keep time
 *   (both the `node:net` and the bare `net` forms).
 * - A file under src/ that belongs to no layer is reported too, so a new top-level folder
 *   gets a row in the table (and a line in DESIGN.md) before it grows.
 *
 * Checked forms: import/export ... from, `import x = require()`, dynamic `import()`,
 * `require()` and type-level `import('...')`, all with a literal specifier. Type-only
 * imports count: a type dependency still couples the layers.
 * Files outside src/ (test/, bench/, scripts/) are not checked. npm packages are not
 * checked.
 */
import path from 'node:path';

/** Built-ins that open sockets or files, spawn processes or keep time. */
const IO_BUILTINS = [
  'child_process',
  'cluster',
  'dgram',
  'dns',
  'dns/promises',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'readline',
  'readline/promises',
  'timers',
  'timers/promises',
  'tls',
  'worker_threads',
];

/**
 * The table. `match` is a path prefix under src/ (or an exact file); `allow` lists the
 * parts of src/ the layer may import (a prefix matches itself and everything below it),
 * or '*' for the composition root. Keep it in step with DESIGN.md §2.
 */
export const LAYERS = [
  { name: 'common', match: ['common'], allow: ['common'] },
  {
    name: 'records',
    match: ['records'],
    allow: ['common', 'records'],
    noBuiltins: IO_BUILTINS,
  },
  {
    name: 'protocol',
    match: ['protocol'],
    allow: ['common', 'records', 'protocol'],
    noBuiltins: IO_BUILTINS,
  },
  {
    name: 'storage',
    match: ['storage'],
    allow: ['common', 'records', 'storage'],
  },
  {
    // Followers fetch from leaders with the Kafka Fetch API, so replication alone in
    // cluster/ may speak protocol/kafka.
    name: 'cluster/replication',
    match: ['cluster/replication'],
    allow: ['common', 'records', 'storage', 'cluster', 'protocol/kafka'],
  },
  {
    name: 'cluster',
    match: ['cluster'],
    allow: ['common', 'records', 'storage', 'cluster'],
  },
  {
    name: 'coordinator',
    match: ['coordinator'],
    allow: ['common', 'records', 'cluster/partition', 'protocol/kafka', 'coordinator'],
  },
  {
    name: 'server',
    match: ['server'],
    allow: ['common', 'records', 'protocol/kafka', 'cluster', 'coordinator', 'server'],
  },
  {
    name: 'amqp',
    match: ['amqp'],
    allow: ['common', 'records', 'protocol/amqp', 'cluster', 'coordinator', 'amqp'],
  },
  {
    name: 'stomp',
    match: ['stomp'],
    allow: ['common', 'records', 'cluster', 'coordinator', 'stomp'],
  },
  {
    name: 'admin',
    match: ['admin'],
    allow: ['common', 'cluster', 'coordinator', 'admin'],
  },
  // The CLI talks to brokers over the network with its own small client built on the
  // generated codecs (protocol/kafka) and record batches; `weir start` alone reaches the
  // composition root (main.ts) to run one in-process.
  { name: 'cli', match: ['cli'], allow: ['common', 'records', 'protocol/kafka', 'cli', 'main.js'] },
  { name: 'root', match: ['index.ts', 'main.ts'], allow: '*' },
];

const SOURCE_EXTENSIONS = /\.(?:d\.)?[cm]?[jt]sx?$/;

/** `sub` is a posix path relative to src/; does it equal `prefix` or lie below it? */
function within(sub, prefix) {
  return sub === prefix || sub.startsWith(prefix + '/');
}

/** The layer of a path relative to src/ (posix), or undefined. */
export function layerOf(sub) {
  // index.ts / main.ts are files; compare them without extension so that an import of
  // '../index.js' resolves to the root layer as well.
  const bare = sub.replace(SOURCE_EXTENSIONS, '');
  return LAYERS.find((layer) =>
    layer.match.some((m) =>
      SOURCE_EXTENSIONS.test(m) ? bare === m.replace(SOURCE_EXTENSIONS, '') : within(sub, m),
    ),
  );
}

function toPosix(p) {
  return p.split(path.sep).join('/');
}

/** Path of `absolute` relative to `srcRoot` (posix), or undefined when outside it. */
function underSrc(srcRoot, absolute) {
  const rel = path.relative(srcRoot, absolute);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return toPosix(rel);
}

function builtinName(specifier) {
  return specifier.startsWith('node:') ? specifier.slice('node:'.length) : specifier;
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: {
      description: "Enforce DESIGN.md §2's import boundaries between the layers of src/",
    },
    schema: [
      {
        type: 'object',
        properties: {
          // The source root, relative to ESLint's cwd (the repository root).
          srcDir: { type: 'string' },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      forbiddenLayer:
        "'{{importer}}' may not import '{{target}}' (src/{{targetPath}}): it may import only {{allowed}} (DESIGN.md §2).",
      forbiddenBuiltin:
        "'{{importer}}' is sans-I/O and may not import '{{specifier}}' (DESIGN.md §1.3, §2).",
      unknownLayer:
        'src/{{file}} is in no layer of the import-boundaries table: add the folder to DESIGN.md §2 and eslint-rules/import-boundaries.js.',
    },
  },

  create(context) {
    const filename = context.physicalFilename ?? context.filename;
    const srcDir = context.options[0]?.srcDir ?? 'src';
    const srcRoot = path.resolve(context.cwd, srcDir);
    const file = underSrc(srcRoot, path.resolve(context.cwd, filename));
    if (file === undefined) return {};

    const layer = layerOf(file);
    if (layer === undefined) {
      return {
        Program(node) {
          context.report({ node, messageId: 'unknownLayer', data: { file } });
        },
      };
    }

    const fileDir = path.dirname(path.resolve(context.cwd, filename));

    function check(node, specifier) {
      if (typeof specifier !== 'string') return;
      if (specifier.startsWith('.')) {
        if (layer.allow === '*') return;
        const targetPath = underSrc(srcRoot, path.resolve(fileDir, specifier));
        if (targetPath === undefined) return; // outside src/: not a layer
        if (layer.allow.some((prefix) => within(targetPath, prefix))) return;
        const target = layerOf(targetPath)?.name ?? targetPath;
        context.report({
          node,
          messageId: 'forbiddenLayer',
          data: {
            importer: layer.name,
            target,
            targetPath,
            allowed: layer.allow.join(', '),
          },
        });
        return;
      }
      if (layer.noBuiltins?.includes(builtinName(specifier))) {
        context.report({
          node,
          messageId: 'forbiddenBuiltin',
          data: { importer: layer.name, specifier },
        });
      }
    }

    /** Checks a specifier node when it is a string literal (or a plain template). */
    function checkSource(source) {
      if (!source) return;
      if (source.type === 'Literal') check(source, source.value);
      else if (source.type === 'TemplateLiteral' && source.expressions.length === 0) {
        check(source, source.quasis[0].value.cooked);
      }
    }

    return {
      ImportDeclaration: (node) => checkSource(node.source),
      ExportNamedDeclaration: (node) => checkSource(node.source),
      ExportAllDeclaration: (node) => checkSource(node.source),
      ImportExpression: (node) => checkSource(node.source),
      TSImportEqualsDeclaration(node) {
        if (node.moduleReference.type === 'TSExternalModuleReference') {
          checkSource(node.moduleReference.expression);
        }
      },
      TSImportType(node) {
        // typescript-eslint 8 has `source`; older versions had `argument.literal`.
        checkSource(node.source ?? node.argument?.literal);
      },
      CallExpression(node) {
        if (
          node.callee.type === 'Identifier' &&
          node.callee.name === 'require' &&
          node.arguments.length === 1
        ) {
          checkSource(node.arguments[0]);
        }
      },
    };
  },
};
