// What every form of the page shares: the widgets, fields and templates of our x- keywords, how
// defaults are filled in, and the server's field problems as an rjsf error tree.
import type { ErrorSchema } from '@rjsf/utils';
import { transformErrors, validator } from './schema.js';
import {
  FileReferenceField,
  KeyValueField,
  LookupWidget,
  MultiSchemaFieldTemplate,
  OptionalBooleanWidget,
  ObjectFieldTemplate,
} from './widgets.js';

export const widgets = { lookup: LookupWidget, optionalBoolean: OptionalBooleanWidget };
export const fields = { fileReference: FileReferenceField, keyValue: KeyValueField };
export const templates = { ObjectFieldTemplate, MultiSchemaFieldTemplate };
/** Defaults the schemas declare are filled in (what the form shows is what is sent); a labelled
 * choice (oneOf of consts) is not defaulted to its first option, an optional array with
 * minItems (put_object_acl's grants) starts absent rather than with a blank item, and an object
 * nothing was filled into stays absent (a required file left empty is "file is required", not
 * an empty `{}` that only fails inside). */
export const defaultsBehavior = {
  constAsDefaults: 'skipOneOf',
  arrayMinItems: { populate: 'requiredOnly' },
  emptyObjectFields: 'skipEmptyDefaults',
} as const;

/** The props every form of the page passes rjsf alike (spread into each <Form>). */
export const formKit = {
  validator,
  widgets,
  fields,
  templates,
  transformErrors,
  showErrorList: false,
  noHtml5Validate: true,
  experimental_defaultFormStateBehavior: defaultsBehavior,
} as const;

/** The server's field problems (`objects.0.key`) as an rjsf error tree. */
export function problemsToErrors(problems: { field: string; message: string }[]): ErrorSchema {
  const root: Record<string, any> = {};
  for (const p of problems) {
    let node = root;
    if (p.field !== '(the whole value)') {
      for (const part of p.field.split('.')) node = node[part] ??= {};
    }
    (node.__errors ??= []).push(p.message);
  }
  return root as ErrorSchema;
}
