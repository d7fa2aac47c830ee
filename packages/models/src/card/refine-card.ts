// The model card's cross-field rules, on top of the field schema: a binary screen needs a threshold
// (and only a binary screen has one), and every model input has one name.
import type * as z from 'zod';
import { modelCardShape } from './schema.js';

/** `params.code` of a custom issue: the CxrkitError code it becomes (see card-issues.ts). */
export interface CardIssueParams {
  code: string;
  fix: string;
}

/** The model card schema: fields (schema.ts) plus the rules between them. Validate with `parseModelCard`. */
export const modelCardSchema = modelCardShape.superRefine((card, ctx) => {
  const issue = (path: (string | number)[], message: string, params: CardIssueParams, input: unknown) =>
    ctx.addIssue({ code: 'custom', path, message, params, input });
  if (card.task.kind === 'binary' && card.threshold === undefined) {
    issue(
      ['threshold'],
      'a binary screen needs a threshold',
      {
        code: 'CARD_THRESHOLD_MISSING',
        fix:
          'choose it on the tuning set (chooseThreshold in @cxrkit/metrics) and record ' +
          "{ value, rule: { method: 'youden' }, chosenOn }",
      },
      undefined,
    );
  }
  if (card.task.kind !== 'binary' && card.threshold !== undefined) {
    issue(
      ['threshold'],
      `a ${card.task.kind} model has no threshold`,
      {
        code: 'CARD_FIELD_INVALID',
        fix: "remove threshold, or set task.kind to 'binary'",
      },
      card.threshold,
    );
  }
  const names = [card.architecture.inputName];
  const sources = new Set<string>();
  card.fusion.forEach((f, i) => {
    if (names.includes(f.input)) {
      issue(
        ['fusion', i, 'input'],
        `input name '${f.input}' is used twice`,
        {
          code: 'CARD_FIELD_INVALID',
          fix: "give every model input its own name, e.g. 'image', 'age', 'sex'",
        },
        f.input,
      );
    }
    if (sources.has(f.source)) {
      issue(
        ['fusion', i, 'source'],
        `'${f.source}' is fused twice`,
        { code: 'CARD_FIELD_INVALID', fix: 'list each fusion source once' },
        f.source,
      );
    }
    names.push(f.input);
    sources.add(f.source);
  });
});

/** A validated model card, defaults filled, with its content `id` (what `parseModelCard` returns). */
export type ModelCard = z.output<typeof modelCardSchema> & { id: string };

/** What a card may be written as (defaults and `id` optional): the argument of `createModelCard`, `saveModel`. */
export type ModelCardInput = z.input<typeof modelCardSchema>;

/** One fusion input of a card (`card.fusion[i]`). */
export type FusionInputSpec = ModelCard['fusion'][number];
