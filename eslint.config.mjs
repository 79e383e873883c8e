import nx from '@nx/eslint-plugin';

// The dependency direction of docs/architecture.md, enforced on every import between projects:
// platform ← contracts ← identity ← tenancy ← whatsapp-accounts ← messaging; webhooks and mcp may use the
// contexts' public faces; apps may use any library; sdk and meta-sandbox depend on nothing of ours.
const contexts = ['scope:identity', 'scope:tenancy', 'scope:whatsapp-accounts', 'scope:messaging'];
const productionConstraints = [
  { sourceTag: 'scope:platform', onlyDependOnLibsWithTags: ['scope:platform'] },
  { sourceTag: 'scope:contracts', onlyDependOnLibsWithTags: ['scope:platform', 'scope:contracts'] },
  ...contexts.map((tag, i) => ({
    sourceTag: tag,
    onlyDependOnLibsWithTags: ['scope:platform', 'scope:contracts', ...contexts.slice(0, i + 1)],
  })),
  { sourceTag: 'scope:webhooks', onlyDependOnLibsWithTags: ['scope:platform', 'scope:contracts', ...contexts, 'scope:webhooks'] },
  { sourceTag: 'scope:mcp', onlyDependOnLibsWithTags: ['scope:platform', 'scope:contracts', ...contexts, 'scope:webhooks', 'scope:mcp'] },
  { sourceTag: 'scope:sdk', onlyDependOnLibsWithTags: ['scope:sdk'] },
  { sourceTag: 'scope:sandbox', onlyDependOnLibsWithTags: [] },
  {
    sourceTag: 'scope:testing',
    onlyDependOnLibsWithTags: [
      'scope:platform',
      'scope:contracts',
      ...contexts,
      'scope:webhooks',
      'scope:mcp',
      'scope:sdk',
      'scope:testing',
    ],
  },
  {
    sourceTag: 'scope:app',
    onlyDependOnLibsWithTags: [
      'scope:platform',
      'scope:contracts',
      ...contexts,
      'scope:webhooks',
      'scope:mcp',
      'scope:sdk',
      'scope:testing',
    ],
  },
];

// Test files (and only they) may also use the test harness, which in turn uses the contexts.
const testConstraints = productionConstraints.map((c) =>
  c.sourceTag === 'scope:sdk' || c.sourceTag === 'scope:sandbox'
    ? c
    : { ...c, onlyDependOnLibsWithTags: [...new Set([...c.onlyDependOnLibsWithTags, 'scope:testing'])] },
);
const testedLibs = ['platform', 'contracts', 'identity', 'tenancy', 'whatsapp-accounts', 'messaging', 'webhooks', 'mcp'];

const boundaries = (depConstraints) => [
  'error',
  {
    enforceBuildableLibDependency: true,
    banTransitiveDependencies: false,
    allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$'],
    ignoredCircularDependencies: testedLibs.map((lib) => [lib, 'testing']),
    depConstraints,
  },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc', '**/generated/**', '**/jest.config.cts', 'prisma/.migrate-schema/**', '.kirim/**', 'tmp/**'],
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@nx/enforce-module-boundaries': boundaries(productionConstraints),
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false, arguments: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  {
    // Prisma lives only in infrastructure/ (repositories) and the platform's client provider.
    files: ['libs/*/src/domain/**/*.ts', 'libs/*/src/application/**/*.ts', 'libs/*/src/http/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@kirim/platform',
              importNames: ['PrismaService', 'Prisma', 'PrismaTx'],
              message: 'Prisma belongs in infrastructure/ repositories.',
            },
            { name: '@prisma/client', message: 'Prisma belongs in infrastructure/ repositories.' },
          ],
        },
      ],
    },
  },
  {
    // Domain code is pure TypeScript: no Nest, no Prisma, no HTTP.
    files: ['libs/*/src/domain/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@nestjs/*', '@prisma/*', 'express'], message: 'domain/ is framework-free.' }] },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(testConstraints) },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', 'apps/cli/**/*.ts', 'tools/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
];
