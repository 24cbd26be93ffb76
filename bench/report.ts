/**
 * The bench's one reporter: every step records its figures (the JSON names other tools read from
 * bench-results.json), its raw tables, and the text sections printed after the figure table.
 */
import fs from 'node:fs';
import os from 'node:os';
import { figureTable, fmt, log, machine, table, type Figure } from './lib.js';

export interface Section {
  title: string;
  headers: string[];
  rows: (string | number)[][];
}

export class Reporter {
  readonly figures: Figure[] = [];
  readonly tables: Record<string, unknown> = {};
  private readonly sections: Section[] = [];
  private readonly notes: string[] = [];

  constructor(private readonly provider: string) {}

  figure(f: Figure): void {
    this.figures.push({ provider: this.provider, ...f });
    log(
      `${f.metric} = ${fmt(f.value)} ${f.unit}${f.pass === undefined ? '' : f.pass ? ' (met)' : ' (not met)'}`,
    );
  }

  /** Raw samples and rows, kept under `tables.<name>` in the JSON. */
  table(name: string, data: unknown): void {
    this.tables[name] = data;
  }

  /** A table printed after the figures, in the order recorded. */
  section(s: Section): void {
    this.sections.push(s);
  }

  /** A line printed at the end (what the data is, what bounds a figure). */
  note(text: string): void {
    this.notes.push(text);
  }

  write(file: string, meta: Record<string, unknown>): void {
    const results = {
      ...meta,
      machine: machine(),
      figures: this.figures,
      notes: this.notes,
      tables: this.tables,
    };
    fs.writeFileSync(file, JSON.stringify(results, null, 2));
  }

  print(title: string, out: NodeJS.WritableStream = process.stdout): void {
    const load = (machine().loadavg as number[]).join(' ');
    out.write(`\n${title}, ${os.cpus().length} cores, load ${load}\n\n`);
    out.write(figureTable(this.figures) + '\n\n');
    for (const s of this.sections) out.write(`${s.title}:\n${table(s.headers, s.rows)}\n\n`);
    for (const n of this.notes) out.write(`${n}\n`);
  }
}
