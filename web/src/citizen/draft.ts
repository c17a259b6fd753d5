// The request being written: kept apart from the form's elements, so switching tabs or
// language (which builds the form again) loses nothing the citizen typed or chose.

import type { Located } from '../tickets/model';

export interface Draft {
  service: string;
  attributes: Record<string, string>;
  title: string;
  description: string;
  place: [number, number] | null;
  /** The grid path of `place`, or null while unknown; `outside` when Futian does not hold it. */
  located: Located | 'outside' | null;
  address: string;
  photos: string[];
  contactName: string;
  contactPhone: string;
}

export function emptyDraft(phone = ''): Draft {
  return {
    service: '',
    attributes: {},
    title: '',
    description: '',
    place: null,
    located: null,
    address: '',
    photos: [],
    contactName: '',
    contactPhone: phone,
  };
}
