// Photos for a request: chosen from the camera or the album, made smaller on the phone
// (longest side 1600 px, JPEG) before they are sent as base64 in the request's JSON.
// A phone photo of 4–12 MB becomes a few hundred kB: the upload is quick on a mobile
// network, well under the server's 5 MB per photo, and six fit in one request.

import { t } from '../i18n';
import { h, replace } from '../ui/dom';
import { notify } from '../ui/toast';

export const MAX_PHOTOS = 6;
const MAX_SIDE = 1600;
const QUALITY = 0.82;

async function decode(file: File): Promise<ImageBitmap | HTMLImageElement> {
  // createImageBitmap turns the picture upright by its EXIF orientation, as phones expect.
  if ('createImageBitmap' in window) {
    try {
      return await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch {
      // Fall back to an <img> below (older engines, odd formats).
    }
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return img;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** One picture as base64 JPEG (without the `data:` prefix), at most MAX_SIDE on its longest side. */
export async function toJpegBase64(file: File): Promise<string> {
  const img = await decode(file);
  const w = img.width;
  const h_ = img.height;
  const scale = Math.min(1, MAX_SIDE / Math.max(w, h_));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(w * scale));
  canvas.height = Math.max(1, Math.round(h_ * scale));
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  // JPEG has no transparency: a transparent PNG would turn black without a ground.
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  if ('close' in img) img.close();
  return canvas.toDataURL('image/jpeg', QUALITY).replace(/^data:image\/jpeg;base64,/, '');
}

/** The photo picker; `chosen` (base64 JPEG) is the draft's list, kept across re-renders. */
export function photoField(chosen: string[]): HTMLElement {
  const s = t();
  const thumbs = h('div', { class: 'photo-thumbs' });
  const input = h('input', { id: 'photos', type: 'file', accept: 'image/*', multiple: true, class: 'visually-hidden' });
  const addLabel = h('label', { class: 'photo-add', for: 'photos' }, h('span', { 'aria-hidden': 'true' }, '+'), h('span', {}, s.addPhoto));
  const render = () => {
    replace(
      thumbs,
      ...chosen.map((b64, i) =>
        h(
          'div',
          { class: 'photo-thumb' },
          h('img', { src: `data:image/jpeg;base64,${b64}`, alt: '' }),
          h(
            'button',
            {
              type: 'button',
              class: 'photo-remove',
              'aria-label': s.removePhoto,
              onclick: () => {
                chosen.splice(i, 1);
                render();
              },
            },
            '×',
          ),
        ),
      ),
      chosen.length < MAX_PHOTOS ? addLabel : null,
    );
  };
  input.addEventListener('change', async () => {
    const files = Array.from(input.files ?? []).slice(0, MAX_PHOTOS - chosen.length);
    input.value = '';
    for (const f of files) {
      try {
        chosen.push(await toJpegBase64(f));
      } catch {
        notify(t().photoFailed, 'error');
      }
      render();
    }
  });
  render();
  return h(
    'div',
    { class: 'field' },
    h('span', { class: 'field-label' }, s.photos, h('span', { class: 'field-note' }, s.photosHint(MAX_PHOTOS))),
    input,
    thumbs,
  );
}
