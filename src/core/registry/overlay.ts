/**
 * Updating a stored registry object from the repo without losing what dynafeast does not model.
 * A registry written by Feast carries fields our schema subset does not declare (they live in each
 * message's `$unknown`); replacing the message wholesale would drop them, so known fields are copied
 * onto the stored message instead, recursing into sub-messages of the same type.
 */
import type { DescMessage, Message } from '@bufbuild/protobuf';

type Fields = Record<string, unknown>;

function isMessage(v: unknown): v is Message {
  return typeof v === 'object' && v !== null && '$typeName' in v;
}

/**
 * Lists of named messages (features, entity columns) follow the source's order and content, but an
 * element whose name already existed keeps its unknown fields.
 */
function overlayNamedList(desc: DescMessage, target: Message[], source: Message[]): Message[] {
  const nameOf = (m: Message) => (m as unknown as Fields)['name'];
  if (!desc.fields.some((f) => f.localName === 'name')) return source;
  const previous = new Map(target.map((m) => [nameOf(m), m]));
  return source.map((m) => {
    const old = previous.get(nameOf(m));
    return old ? overlayKnownFields(desc, old, m) : m;
  });
}

/** Copies every field `desc` declares from `source` onto `target` (mutated and returned). */
export function overlayKnownFields<T extends Message>(desc: DescMessage, target: T, source: T): T {
  const t = target as unknown as Fields;
  const s = source as unknown as Fields;
  for (const member of desc.members) {
    const key = member.localName;
    if (member.kind === 'oneof') {
      const tv = t[key] as { case?: string; value?: unknown };
      const sv = s[key] as { case?: string; value?: unknown };
      const field = member.fields.find((f) => f.localName === sv.case);
      if (field && field.fieldKind === 'message' && tv.case === sv.case && isMessage(tv.value) && isMessage(sv.value)) {
        overlayKnownFields(field.message, tv.value, sv.value);
      } else {
        t[key] = sv;
      }
      continue;
    }
    if (member.oneof) continue; // handled through its oneof
    if (member.fieldKind === 'message' && isMessage(t[key]) && isMessage(s[key])) {
      overlayKnownFields(member.message, t[key] as Message, s[key] as Message);
    } else if (member.fieldKind === 'list' && member.listKind === 'message') {
      t[key] = overlayNamedList(member.message, t[key] as Message[], s[key] as Message[]);
    } else {
      // scalars, enums, lists and maps are replaced whole: the repo is the source of truth for them
      t[key] = s[key];
    }
  }
  return target;
}
