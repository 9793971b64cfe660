import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetDir, datasetsHome } from '../../../src/datasets/location.js';
import { requireEntry } from '../../../src/datasets/store.js';
import { catalog } from '../../../src/datasets/catalog.js';
import { UsageError } from '../../../src/shared/errors.js';

describe('where datasets live', () => {
  it('RAGBENCH_DATASETS wins, then an absolute XDG_CACHE_HOME, then ~/.cache', () => {
    expect(datasetsHome({ RAGBENCH_DATASETS: '/data/sets', XDG_CACHE_HOME: '/xdg' })).toBe('/data/sets');
    expect(datasetsHome({ XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/ragbench/datasets');
    expect(datasetsHome({ XDG_CACHE_HOME: 'relative/is/ignored' })).toBe(join(homedir(), '.cache', 'ragbench', 'datasets'));
    expect(datasetsHome({})).toBe(join(homedir(), '.cache', 'ragbench', 'datasets'));
    expect(datasetDir('beir/scifact', { RAGBENCH_DATASETS: '/d' })).toBe('/d/beir/scifact');
  });
});

describe('catalog', () => {
  it('pins every upstream file (SHA-256, or the publisher md5 for BEIR) except the entries that say why not', () => {
    for (const entry of catalog) {
      for (const file of entry.files) {
        const pinned = file.sha256 !== undefined ? /^[0-9a-f]{64}$/.test(file.sha256) : file.md5 !== undefined && /^[0-9a-f]{32}$/.test(file.md5);
        expect(pinned || entry.unpinned !== undefined, `${entry.name}/${file.name}`).toBe(true);
        expect(file.url).toMatch(/^https:\/\//);
      }
      expect(entry.licence.length, entry.name).toBeGreaterThan(0);
      expect(entry.citation.length, entry.name).toBeGreaterThan(20);
    }
    expect(catalog.map((e) => e.name)).toEqual(expect.arrayContaining(['cranfield', 'cisi', 'cacm', 'pubmedqa-pqal', 'begin-wow', 'beir/scifact', 'beir/trec-covid']));
  });

  it('refuses SALAD (no stated licence) and unknown names with the list of known ones', () => {
    expect(() => requireEntry('salad-lfqa-attribution')).toThrow(/no stated licence/);
    expect(() => requireEntry('cranfeld')).toThrow(UsageError);
  });
});
