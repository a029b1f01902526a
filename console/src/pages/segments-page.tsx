import { useState } from 'preact/hooks';
import { useApp } from '../app/app-context.js';
import { canEdit } from '../auth/session.js';
import { AsyncView, Empty, ErrorBox, Loading } from '../components/status.js';
import { useAsync } from '../components/use-async.js';
import { fmtNumber, fmtTime } from '../components/format.js';
import { describeError } from '../api/api-client.js';
import { ConditionEditor } from '../segments/condition-editor.js';
import { describeCondition, isSnapshot, rootFrom, toDefinition, type Condition, type Node } from '../segments/definition-model.js';
import { usePreview } from '../segments/use-preview.js';

interface Segment {
  id: string;
  name: string;
  description: string;
  definition: Condition;
  updatedAt: string;
  members: number | null;
  refreshedAt: string | null;
}

/** `/segments` lists them; `/segments/new` and `/segments/{id}` open the builder. */
export function SegmentsPage() {
  const id = location.pathname.split('/')[2];
  return id ? <SegmentBuilder id={id === 'new' ? undefined : decodeURIComponent(id)} /> : <SegmentList />;
}

function SegmentList() {
  const { api, session, navigate } = useApp();
  const [state, reload] = useAsync((signal) => api.get<{ segments: Segment[] }>('/api/segments', {}, signal), []);
  return (
    <section aria-labelledby="segments-title">
      <div class="toolbar">
        <h1 id="segments-title">Segments</h1>
        {canEdit(session.role) && (
          <button type="button" onClick={() => navigate('/segments/new')}>
            New segment
          </button>
        )}
      </div>
      <AsyncView state={state} onRetry={reload} label="Loading segments…">
        {(data) =>
          data.segments.length === 0 ? (
            <Empty>No segments yet.{canEdit(session.role) ? ' Build one with “New segment”.' : ''}</Empty>
          ) : (
            <div class="table-wrap">
              <table data-testid="segments-table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Definition</th>
                    <th scope="col" class="num">Members</th>
                    <th scope="col">Last refresh</th>
                  </tr>
                </thead>
                <tbody>
                  {data.segments.map((s) => (
                    <tr key={s.id}>
                      <td>
                        <a
                          href={`/segments/${s.id}`}
                          onClick={(e) => {
                            e.preventDefault();
                            navigate(`/segments/${s.id}`);
                          }}
                        >
                          {s.name}
                        </a>
                      </td>
                      <td>{describeCondition(s.definition)}</td>
                      <td class="num">{s.members === null ? 'not refreshed' : fmtNumber(s.members)}</td>
                      <td>{s.refreshedAt ? fmtTime(s.refreshedAt) : '–'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </AsyncView>
    </section>
  );
}

function SegmentBuilder({ id }: { id: string | undefined }) {
  const { api } = useApp();
  const [state, reload] = useAsync((signal) => api.get<Segment>(`/api/segments/${encodeURIComponent(id!)}`, {}, signal), [id], id !== undefined);
  if (id === undefined) return <BuilderForm segment={undefined} />;
  return (
    <AsyncView state={state} onRetry={reload} label="Loading the segment…">
      {(segment) => (isSnapshot(segment.definition) ? <SnapshotView segment={segment} /> : <BuilderForm segment={segment} />)}
    </AsyncView>
  );
}

/** The link back to the segment list. */
function BackToSegments() {
  const { navigate } = useApp();
  return (
    <p>
      <a
        href="/segments"
        onClick={(e) => {
          e.preventDefault();
          navigate('/segments');
        }}
      >
        ← All segments
      </a>
    </p>
  );
}

/** Deletes a segment after the user confirms, then goes back to the list; a failure goes to `onError`. */
function useDeleteSegment(onError: (err: unknown) => void) {
  const { api, navigate } = useApp();
  return async (segment: Segment) => {
    if (!confirm(`Delete the segment “${segment.name}”?`)) return;
    try {
      await api.del(`/api/segments/${segment.id}`);
      navigate('/segments');
    } catch (err) {
      onError(err);
    }
  };
}

/** A snapshot segment: what it holds and its fixed member count; it can be deleted, not edited. */
function SnapshotView({ segment }: { segment: Segment }) {
  const { session } = useApp();
  const [error, setError] = useState<unknown>(undefined);
  const remove = useDeleteSegment(setError);
  return (
    <section aria-labelledby="snapshot-title">
      <BackToSegments />
      <h1 id="snapshot-title">{segment.name}</h1>
      {segment.description && <p>{segment.description}</p>}
      <p data-testid="definition-summary">{describeCondition(segment.definition)}</p>
      <p class="hint">Its members were written when it was saved and refreshes never change them.</p>
      <p>{segment.members != null ? `${fmtNumber(segment.members)} members` : 'No members recorded.'}</p>
      {canEdit(session.role) && (
        <div class="toolbar">
          <button type="button" class="danger" onClick={() => remove(segment)}>
            Delete
          </button>
        </div>
      )}
      {error !== undefined && (
        <p class="error" role="alert">
          {describeError(error)}
        </p>
      )}
    </section>
  );
}

/** "Saved" survives the move from /segments/new to /segments/{id}, which mounts a new form. */
let flash: string | undefined;

function BuilderForm({ segment }: { segment: Segment | undefined }) {
  const { api, session, navigate } = useApp();
  const editable = canEdit(session.role);
  const [name, setName] = useState(segment?.name ?? '');
  const [description, setDescription] = useState(segment?.description ?? '');
  const [root, setRoot] = useState<Node>(() => rootFrom(segment?.definition));
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(undefined);
  const [saved, setSaved] = useState<string | undefined>(() => {
    const message = flash;
    flash = undefined;
    return message;
  });
  const [showJson, setShowJson] = useState(false);
  const definition = root.kind === 'group' && root.children.length === 0 ? undefined : toDefinition(root);
  // Previews need the marketer role: viewers see the last refreshed count instead.
  const preview = usePreview(api, definition, editable);

  const save = async (e: Event) => {
    e.preventDefault();
    if (!definition) return setSaveError(new Error('Add at least one condition.'));
    setSaving(true);
    setSaveError(undefined);
    try {
      const body = { name: name.trim(), description, definition };
      const result = segment ? await api.put<Segment>(`/api/segments/${segment.id}`, body) : await api.post<Segment>('/api/segments', body);
      setSaved(`Saved “${result.name}”.`);
      if (!segment) {
        flash = `Saved “${result.name}”.`;
        navigate(`/segments/${result.id}`);
      }
    } catch (err) {
      setSaveError(err);
    } finally {
      setSaving(false);
    }
  };
  const deleteSegment = useDeleteSegment(setSaveError);
  const remove = () => segment && deleteSegment(segment);

  return (
    <section aria-labelledby="builder-title">
      <BackToSegments />
      <h1 id="builder-title">{segment ? segment.name : 'New segment'}</h1>
      <form class="builder" onSubmit={save}>
        <div>
          <div class="filters">
            <label>
              Name
              <input name="name" value={name} required maxLength={200} disabled={!editable} onInput={(e) => setName(e.currentTarget.value)} />
            </label>
            <label style={{ flex: 1 }}>
              Description
              <input name="description" value={description} maxLength={2000} disabled={!editable} onInput={(e) => setDescription(e.currentTarget.value)} />
            </label>
          </div>
          <ConditionEditor node={root} readOnly={!editable} onChange={(next) => next && setRoot(next)} />
          <p class="hint" data-testid="definition-summary">
            {definition ? describeCondition(definition) : 'No conditions yet.'}
          </p>
          <button type="button" class="link" aria-expanded={showJson} onClick={() => setShowJson(!showJson)}>
            {showJson ? 'Hide' : 'Show'} the definition as JSON
          </button>
          {showJson && <pre class="json" data-testid="definition-json">{JSON.stringify(definition ?? null, null, 2)}</pre>}
        </div>
        <aside class="card preview" aria-labelledby="preview-title">
          <h2 id="preview-title">Preview</h2>
          <div aria-live="polite">
            {!editable ? (
              <p>{segment?.members != null ? `${fmtNumber(segment.members)} members at the last refresh` : 'Not refreshed yet.'}</p>
            ) : preview.status === 'empty' ? (
              <p class="hint">Add a condition to see how many people match.</p>
            ) : preview.status === 'loading' ? (
              <Loading label="Counting…" />
            ) : preview.status === 'error' ? (
              <p class="error" role="alert">
                {describeError(preview.error)}
              </p>
            ) : (
              <>
                <p class="count" data-testid="preview-count">
                  {preview.count}
                </p>
                <p class="hint">people match now (counted in {preview.tookMs} ms)</p>
              </>
            )}
          </div>
          {editable && (
            <div class="toolbar">
              <button type="submit" disabled={saving || !definition || !name.trim()}>
                {saving ? 'Saving…' : segment ? 'Save changes' : 'Save segment'}
              </button>
              {segment && (
                <button type="button" class="danger" onClick={remove}>
                  Delete
                </button>
              )}
            </div>
          )}
          {saved && (
            <p role="status" data-testid="saved">
              {saved}
            </p>
          )}
          {saveError !== undefined && <ErrorBox error={saveError} />}
        </aside>
      </form>
    </section>
  );
}
