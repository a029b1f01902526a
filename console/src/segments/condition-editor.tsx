import { COMMON_EVENTS, COMPUTED_TRAITS, newNode, OPERATOR_LABELS, OPERATORS, replaceNode, type Node, type Operator } from './definition-model.js';

interface Props {
  node: Node;
  readOnly: boolean;
  onChange: (next: Node | undefined) => void;
  depth?: number;
}

const ADDABLE: { kind: Node['kind']; label: string }[] = [
  { kind: 'event', label: 'Event' },
  { kind: 'computed', label: 'Computed trait' },
  { kind: 'trait', label: 'Trait' },
  { kind: 'tag', label: 'Tag' },
  { kind: 'group', label: 'Group' },
];

/** One node of the definition tree: a group (and/or, optionally negated) or one condition. */
export function ConditionEditor({ node, readOnly, onChange, depth = 0 }: Props) {
  if (node.kind === 'group') {
    const label = depth === 0 ? 'Segment conditions' : 'Group of conditions';
    return (
      <fieldset class="group" aria-label={label} disabled={readOnly}>
        <div class="toolbar">
          <label class="inline">
            Match
            <select aria-label="Match all or any" value={node.op} onChange={(e) => onChange({ ...node, op: e.currentTarget.value as 'and' | 'or' })}>
              <option value="and">all of (AND)</option>
              <option value="or">any of (OR)</option>
            </select>
          </label>
          {depth > 0 && (
            <label class="inline">
              <input type="checkbox" checked={node.negate} onChange={(e) => onChange({ ...node, negate: e.currentTarget.checked })} /> none of these (NOT)
            </label>
          )}
          {depth > 0 && !readOnly && (
            <button type="button" class="danger" onClick={() => onChange(undefined)}>
              Remove group
            </button>
          )}
        </div>
        {node.children.length === 0 && <p class="hint">No conditions yet: add one below.</p>}
        {node.children.map((child) => (
          <ConditionEditor key={child.key} node={child} readOnly={readOnly} depth={depth + 1} onChange={(next) => onChange(replaceNode(node, child.key, next))} />
        ))}
        {!readOnly && (
          <div class="toolbar" role="group" aria-label="Add a condition">
            <span class="hint">Add</span>
            {ADDABLE.map((a) => (
              <button type="button" class="secondary" key={a.kind} onClick={() => onChange({ ...node, children: [...node.children, newNode(a.kind)] })}>
                + {a.label}
              </button>
            ))}
          </div>
        )}
      </fieldset>
    );
  }
  const remove = !readOnly && (
    <button type="button" class="danger" aria-label="Remove condition" onClick={() => onChange(undefined)}>
      Remove
    </button>
  );
  switch (node.kind) {
    case 'event':
      return (
        <div class="cond" role="group" aria-label="Event condition" data-testid="event-condition">
          <label>
            Person
            <select aria-label="Person" value={node.did ? 'did' : 'did_not'} onChange={(e) => onChange({ ...node, did: e.currentTarget.value === 'did' })}>
              <option value="did">did</option>
              <option value="did_not">did not do</option>
            </select>
          </label>
          <label>
            Event
            <input list="common-events" value={node.event} onInput={(e) => onChange({ ...node, event: e.currentTarget.value })} required />
          </label>
          {node.did && (
            <label>
              How often
              <select aria-label="How often" value={node.countOp} onChange={(e) => onChange({ ...node, countOp: e.currentTarget.value as '' | 'at_least' | 'at_most' | 'exactly' })}>
                <option value="">at least once</option>
                <option value="at_least">at least</option>
                <option value="at_most">at most</option>
                <option value="exactly">exactly</option>
              </select>
            </label>
          )}
          {node.did && node.countOp && (
            <label>
              Times
              <input type="number" min={0} value={node.countValue} onInput={(e) => onChange({ ...node, countValue: e.currentTarget.value })} size={4} />
            </label>
          )}
          <label>
            In the last (days)
            <input type="number" min={1} max={3650} value={node.withinDays} placeholder="ever" onInput={(e) => onChange({ ...node, withinDays: e.currentTarget.value })} size={4} />
          </label>
          <datalist id="common-events">
            {COMMON_EVENTS.map((e) => (
              <option key={e} value={e} />
            ))}
          </datalist>
          {remove}
        </div>
      );
    case 'computed':
    case 'trait': {
      const valueless = node.op === 'exists' || node.op === 'not_exists';
      return (
        <div class="cond" role="group" aria-label={node.kind === 'computed' ? 'Computed trait condition' : 'Trait condition'} data-testid={`${node.kind}-condition`}>
          <label>
            {node.kind === 'computed' ? 'Computed trait' : 'Trait (identify)'}
            {node.kind === 'computed' ? (
              <select aria-label="Computed trait" value={node.trait} onChange={(e) => onChange({ ...node, trait: e.currentTarget.value })}>
                {Object.keys(COMPUTED_TRAITS).map((t) => (
                  <option key={t} value={t}>
                    {t.replace(/_/g, ' ')}
                  </option>
                ))}
              </select>
            ) : (
              <input value={node.trait} placeholder="plan or address.country" onInput={(e) => onChange({ ...node, trait: e.currentTarget.value })} required />
            )}
          </label>
          <label>
            Operator
            <select aria-label="Operator" value={node.op} onChange={(e) => onChange({ ...node, op: e.currentTarget.value as Operator })}>
              {OPERATORS.map((op) => (
                <option key={op} value={op}>
                  {OPERATOR_LABELS[op]}
                </option>
              ))}
            </select>
          </label>
          {!valueless && (
            <label>
              Value{node.op === 'in' || node.op === 'not_in' ? 's (comma-separated)' : ''}
              <input value={node.value} onInput={(e) => onChange({ ...node, value: e.currentTarget.value })} />
            </label>
          )}
          {remove}
        </div>
      );
    }
    case 'tag':
      return (
        <div class="cond" role="group" aria-label="Tag condition">
          <label>
            Has tag
            <input value={node.tag} placeholder="channel:facebook_ad" onInput={(e) => onChange({ ...node, tag: e.currentTarget.value })} required />
          </label>
          {remove}
        </div>
      );
    case 'raw':
      return (
        <div class="cond" role="group" aria-label="Condition kept as JSON">
          <pre class="json">{JSON.stringify(node.condition, null, 2)}</pre>
          <p class="hint">The builder has no editor for this condition yet; it is kept as it is.</p>
          {remove}
        </div>
      );
  }
}
