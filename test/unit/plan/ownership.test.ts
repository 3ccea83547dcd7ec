import fc from 'fast-check';
import type { ActualTable } from '../../../src/core/plan/introspect.js';
import { keySchemaProblem, notOursError, ownershipOf, PROJECT_TAG } from '../../../src/core/plan/ownership.js';

const FEAST_KEYS = [{ AttributeName: 'entity_id', KeyType: 'HASH' }];
const FEAST_ATTRS = [{ AttributeName: 'entity_id', AttributeType: 'S' }];

function table(over: Partial<ActualTable> = {}): ActualTable {
  return { table: 'demo.v', exists: true, tags: { state: 'known', value: {} }, ...over };
}

describe('keySchemaProblem', () => {
  it("accepts Feast's key schema (hash entity_id S, no range key)", () => {
    expect(keySchemaProblem(FEAST_KEYS, FEAST_ATTRS)).toBeUndefined();
  });

  it('refuses every other key schema', () => {
    const name = fc.constantFrom('entity_id', 'id', 'pk', 'Entity_Id', 'entity_id ');
    const type = fc.constantFrom('S', 'N', 'B');
    fc.assert(
      fc.property(name, type, fc.option(fc.tuple(name, type), { nil: undefined }), (hash, hashType, range) => {
        fc.pre(!(hash === 'entity_id' && hashType === 'S' && range === undefined));
        const keys = [{ AttributeName: hash, KeyType: 'HASH' }, ...(range ? [{ AttributeName: `${range[0]}_r`, KeyType: 'RANGE' }] : [])];
        const attrs = [{ AttributeName: hash, AttributeType: hashType }, ...(range ? [{ AttributeName: `${range[0]}_r`, AttributeType: range[1] }] : [])];
        expect(keySchemaProblem(keys, attrs)).toMatch(/not Feast's/);
      }),
    );
  });
});

describe('ownershipOf', () => {
  const project = 'demo';

  it('a table tagged with the project is ours, whatever the registry says', () => {
    const t = table({ tags: { state: 'known', value: { [PROJECT_TAG]: project } }, holdsItems: true });
    for (const purpose of ['update', 'delete'] as const) {
      expect(ownershipOf(t, { project, recorded: false, purpose })).toEqual({ owned: true, by: 'tag' });
    }
  });

  it("another project's tag is never ours to delete, and ours to change only with --adopt", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((s) => s !== project),
        fc.boolean(),
        fc.boolean(),
        (other, recorded, adopt) => {
          const t = table({ tags: { state: 'known', value: { [PROJECT_TAG]: other } }, holdsItems: false });
          expect(ownershipOf(t, { project, recorded, purpose: 'delete', adopt }).owned).toBe(false);
          expect(ownershipOf(t, { project, recorded, purpose: 'update', adopt }).owned).toBe(adopt);
        },
      ),
    );
  });

  it('a wrong key schema is never ours, not even with --adopt or a matching tag', () => {
    const t = table({ keySchemaProblem: 'its key schema is hash key id S', tags: { state: 'known', value: { [PROJECT_TAG]: project } } });
    for (const purpose of ['update', 'delete'] as const) {
      expect(ownershipOf(t, { project, recorded: true, purpose, adopt: true })).toMatchObject({ owned: false, adoptable: false });
    }
  });

  it('without a tag: the registry record, or (to update only) being empty, or --adopt', () => {
    const untagged = (holdsItems: boolean | 'unknown' | undefined) => table({ holdsItems });
    expect(ownershipOf(untagged(true), { project, recorded: true, purpose: 'delete' })).toEqual({ owned: true, by: 'registry' });
    expect(ownershipOf(untagged(false), { project, recorded: false, purpose: 'update' })).toEqual({ owned: true, by: 'empty' });
    expect(ownershipOf(untagged(false), { project, recorded: false, purpose: 'delete' }).owned).toBe(false);
    expect(ownershipOf(untagged(true), { project, recorded: false, purpose: 'update' })).toMatchObject({ owned: false, adoptable: true });
    expect(ownershipOf(untagged('unknown'), { project, recorded: false, purpose: 'update' }).owned).toBe(false);
    expect(ownershipOf(untagged(undefined), { project, recorded: false, purpose: 'update' }).owned).toBe(false);
    expect(ownershipOf(untagged(true), { project, recorded: false, purpose: 'update', adopt: true })).toEqual({ owned: true, by: 'adopt' });
    // tags that cannot be read (an endpoint without tagging) fall back on the same evidence
    const unreadable = table({ tags: { state: 'unsupported', operation: 'ListTagsOfResource' }, holdsItems: true });
    expect(ownershipOf(unreadable, { project, recorded: true, purpose: 'delete' })).toEqual({ owned: true, by: 'registry' });
    expect(ownershipOf(unreadable, { project, recorded: false, purpose: 'update' })).toMatchObject({
      owned: false,
      reason: expect.stringContaining('cannot be read'),
    });
  });
});

describe('notOursError', () => {
  it('names every table, why, and the way forward; deletions never suggest --adopt', () => {
    const tables = [
      { table: 'demo.a', view: 'a', reason: 'it is tagged dynafeast:project=x', adoptable: true },
      { table: 'demo.b', view: 'b', reason: 'its key schema is hash key id S', adoptable: false },
    ];
    const update = notOursError('demo', 'apply', tables.slice(0, 1), false);
    expect(update).toMatchObject({ code: 'dynamo.notOurs', kind: 'runtime' });
    expect(update.message).toContain('demo.a');
    expect(update.hint).toContain('--adopt');
    const mixed = notOursError('demo', 'apply', tables, false);
    expect(mixed.message).toMatch(/demo\.a.*demo\.b/);
    expect(mixed.hint).not.toContain('--adopt');
    expect(mixed.details.map((d) => d.hint)).toEqual([expect.stringContaining('--adopt'), expect.not.stringContaining('--adopt')]);
    const deleting = notOursError('demo', 'teardown', tables.slice(0, 1), true);
    expect(deleting.hint).not.toContain('--adopt');
    expect(deleting.hint).toContain('dynafeast:project=demo');
  });
});
