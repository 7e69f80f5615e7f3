// Part categories (SPEC §2) and which of them are critical or software.

export const CATEGORIES = [
  'flight-controller', 'radio', 'data-link', 'camera', 'gimbal', 'ground-control',
  'operating-software', 'firmware', 'navigation', 'sensor', 'compute', 'data-storage',
  'network', 'battery', 'power', 'motor', 'esc', 'propeller', 'frame', 'payload',
  'cable-connector', 'mechanical', 'other',
] as const;

export type Category = (typeof CATEGORIES)[number];

/** Modelled on US FY2020 NDAA §848 and the 2023 American Security Drone Act. */
export const CRITICAL_CATEGORIES: ReadonlySet<Category> = new Set<Category>([
  'flight-controller', 'radio', 'data-link', 'camera', 'gimbal', 'ground-control',
  'operating-software', 'network', 'data-storage',
]);

/** Categories where the software.* origin fields are required. */
export const SOFTWARE_CATEGORIES: ReadonlySet<Category> = new Set<Category>([
  'operating-software', 'firmware', 'ground-control', 'network', 'data-storage',
]);

export function isCategory(value: string): value is Category {
  return (CATEGORIES as readonly string[]).includes(value);
}
