import { Argument, type Command } from 'commander';

export function register(program: Command): void {
  program
    .command('completion')
    .description('Print a shell completion script: source <(stripe-connector completion bash)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
    .action(async (shell: 'bash' | 'zsh') => {
      const [{ loadCatalog }, { listActions }, { bashCompletion, completionWords, zshCompletion }] =
        await Promise.all([
          import('../../catalog/index.ts'),
          import('../../actions/index.ts'),
          import('../completion.ts'),
        ]);
      const catalog = loadCatalog();
      const entities = catalog.entities().map((e) => e.entity);
      const actions = [...new Set(listActions({ catalog }).flatMap((a) => [a.name, ...a.aliases]))];
      const words = completionWords(program, entities, actions);
      process.stdout.write(shell === 'bash' ? bashCompletion(words) : zshCompletion(words));
    });
}
