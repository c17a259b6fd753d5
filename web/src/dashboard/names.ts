// Names for the codes the figures are counted by: streets from the area API (the
// figures carry grid-code prefixes only), channels and families from the catalogue.

import { fetchArea } from '../areas';

let streets: Map<string, string> | null = null;

export async function loadStreetNames(): Promise<Map<string, string>> {
  if (streets) return streets;
  try {
    const district = await fetchArea();
    streets = new Map(district.children.map((c) => [c.code, c.name]));
  } catch {
    streets = new Map();
  }
  return streets;
}
