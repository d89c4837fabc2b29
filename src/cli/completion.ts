/**
 * Shell completion scripts, generated from the program itself (commands, subcommands, options)
 * and the catalog (entity and action names), so a new command or entity completes without edits.
 */
import type { Command } from 'commander';

export interface CompletionWords {
  /** `command` or `command subcommand` → its options. */
  options: Record<string, string[]>;
  /** Commands whose first argument is an entity / an action name. */
  entityCommands: string[];
  actionCommands: string[];
  entities: string[];
  actions: string[];
}

const ARGUMENT_KIND: Record<string, 'entity' | 'action'> = { entity: 'entity', name: 'action' };

export function completionWords(program: Command, entities: string[], actions: string[]): CompletionWords {
  const options: Record<string, string[]> = { '': program.commands.map((c) => c.name()) };
  const entityCommands: string[] = [];
  const actionCommands: string[] = [];
  for (const command of program.commands) {
    const subs = command.commands.map((c) => c.name());
    options[command.name()] = [...subs, ...command.options.map((o) => o.long!).filter(Boolean)];
    for (const sub of command.commands)
      options[`${command.name()}_${sub.name()}`] = sub.options.map((o) => o.long!).filter(Boolean);
    const kind = ARGUMENT_KIND[command.registeredArguments[0]?.name() ?? ''];
    if (kind === 'entity') entityCommands.push(command.name());
    if (kind === 'action') actionCommands.push(command.name());
  }
  return { options, entityCommands, actionCommands, entities, actions };
}

const words = (list: string[]) => list.join(' ');
const key = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_');

export function bashCompletion(w: CompletionWords, bin = 'stripe-connector'): string {
  const cases = Object.entries(w.options)
    .filter(([name]) => name !== '')
    .map(([name, opts]) => `    ${key(name)}) opts="${words(opts)}" ;;`)
    .join('\n');
  return `# bash completion for ${bin}: source <(${bin} completion bash)
_stripe_connector() {
  local cur prev cmd sub opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd="\${COMP_WORDS[1]}"
  sub="\${COMP_WORDS[2]}"
  local entities="${words(w.entities)}"
  local actions="${words(w.actions)}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${words(w.options['']!)}" -- "$cur") ); return 0
  fi
  if [ "$prev" = "--entity" ]; then COMPREPLY=( $(compgen -W "$entities" -- "$cur") ); return 0; fi
  if [ "$COMP_CWORD" -eq 2 ] && [[ "$cur" != -* ]]; then
    case " ${words(w.entityCommands)} " in *" $cmd "*) COMPREPLY=( $(compgen -W "$entities" -- "$cur") ); return 0 ;; esac
    case " ${words(w.actionCommands)} " in *" $cmd "*) COMPREPLY=( $(compgen -W "$actions" -- "$cur") ); return 0 ;; esac
  fi
  local k="\${cmd//[^A-Za-z0-9_]/_}"
  if [ "$COMP_CWORD" -ge 3 ] && [[ "$sub" != -* ]]; then
    case "\${k}_\${sub//[^A-Za-z0-9_]/_}" in
${cases.replace(/^ {4}(\w+)\)/gm, '      $1)')}
    esac
  fi
  if [ -z "$opts" ]; then
    case "$k" in
${cases}
    esac
  fi
  COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
}
complete -F _stripe_connector ${bin}
`;
}

export function zshCompletion(w: CompletionWords, bin = 'stripe-connector'): string {
  // zsh runs bash completion functions through bashcompinit: one generated function for both.
  return `#compdef ${bin}
# zsh completion for ${bin}: source <(${bin} completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(w, bin)}`;
}
