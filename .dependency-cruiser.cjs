/**
 * The layout's rules, checked by `npm run lint` (depcruise): no import cycles, and each layer imports
 * only what stands below it. From the bottom: lib/ (infrastructure), workflows/ (deterministic; they
 * declare the activities they call), core/ (each domain's rules, vocabulary and commands: the one door for
 * every write), activities/, api/ and web/, boot/ (startup wiring), scripts/.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle: split the shared part into a module both can import.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      comment:
        'Folders (domains, and the layers themselves) never loop: workflows declare the activities they call in <domain>/steps.ts, and a shared word moves to the folder both import (workflows/actor.ts, lib/durations.ts).',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'lib-is-infrastructure',
      comment: 'lib/ holds infrastructure (config, database, logger, errors, Temporal and mail transport) and imports nothing above it.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(workflows|core|activities|api|web|boot|scripts)/' },
    },
    {
      name: 'workflows-are-deterministic',
      comment: 'Workflow code runs in the sandbox: it imports other workflow code and @temporalio/workflow, and activities by type only.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^(lib|core|api|web|boot|scripts|generated)/' },
    },
    {
      name: 'workflows-declare-their-activities',
      comment:
        'Workflows call activities through proxyActivities typed by their own <domain>/steps.ts, which activities/index.ts must satisfy: they import nothing from activities/, not even types.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^activities/' },
    },
    {
      name: 'workflows-use-no-node-modules',
      comment: 'Node built-ins are not deterministic and do not exist in the workflow sandbox.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-below-its-callers',
      comment:
        'The domain core (rules, vocabulary, commands) is called by activities, the API, the pages and the CLI; it calls none of them.',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: '^(activities|api|web|boot|scripts)/' },
    },
    {
      name: 'activities-below-http',
      comment: 'Activities are called by workflows; they never reach up into the HTTP layers or the wiring.',
      severity: 'error',
      from: { path: '^activities/' },
      to: { path: '^(api|web|boot|scripts)/' },
    },
    {
      name: 'production-code-uses-production-dependencies',
      comment: 'The image installs dependencies only (npm prune --omit=dev): code it runs cannot import a devDependency.',
      severity: 'error',
      from: { path: '^(lib|workflows|core|activities|api|web|boot)/' },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'pages-and-routes-are-siblings',
      comment:
        'The pages and the API are two doors to the same core/: neither calls the other (the rules they share live in core/). The pages only lend the API their error page, by type.',
      severity: 'error',
      from: { path: '^(api|web)/' },
      to: { path: '^(api|web)/', pathNot: ['^api/http/problem\\.ts$', '^$1/'] },
    },
    {
      name: 'http-below-wiring',
      comment: 'Routes and pages are wired together by boot/ and started by scripts/, not the other way round.',
      severity: 'error',
      from: { path: '^(api|web)/' },
      to: { path: '^(boot|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(generated|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.js'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
