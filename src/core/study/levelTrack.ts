// The outline's "Key Concepts by Level" as a checklist: each concept with the lessons and
// challenges that teach it. A concept is ticked when every item teaching it that exists is
// done; one that nothing teaches yet says so instead of looking finished.
import { LEVELS, type Catalog, type Level } from '../content/model.ts';
import type { PlanItemRef } from '../plan/plan.ts';

export interface LevelConcept {
  readonly text: string;
  readonly items: readonly PlanItemRef[];
}

const lesson = (id: string): PlanItemRef => ({ kind: 'lesson', id });
const challenge = (id: string): PlanItemRef => ({ kind: 'challenge', id });

/** The outline's key concepts per level, as written, and where each is taught. */
export const LEVEL_CONCEPTS: Readonly<Record<Level, readonly LevelConcept[]>> = {
  senior: [
    { text: 'RESTful API design', items: [lesson('rest-best-practices'), lesson('versioning'), challenge('idempotency-keys')] },
    { text: 'Basic database optimisation', items: [lesson('sql-optimization')] },
    { text: 'Authentication and authorisation', items: [] },
    { text: 'Error-handling patterns', items: [lesson('error-handling')] },
  ],
  staff: [
    { text: 'Microservices architecture', items: [lesson('communication'), lesson('service-discovery'), lesson('circuit-breakers'), challenge('circuit-breaker')] },
    { text: 'Distributed transactions', items: [lesson('transactions'), lesson('saga-pattern'), challenge('saga-orchestrator')] },
    { text: 'Event-driven patterns', items: [lesson('event-sourcing'), challenge('message-queue')] },
    { text: 'Performance optimisation', items: [lesson('event-loop'), lesson('memory-management'), lesson('caching'), challenge('cache-loader')] },
  ],
  principal: [
    { text: 'Multi-region architecture', items: [lesson('sharding')] },
    { text: 'Data consistency at scale', items: [lesson('transactions'), lesson('nosql-patterns'), lesson('event-sourcing')] },
    { text: 'Service mesh design', items: [lesson('communication'), lesson('service-discovery')] },
    { text: 'Platform engineering', items: [] },
  ],
};

export interface ConceptState {
  readonly text: string;
  /** The items that teach it and exist in the catalog, with their titles and states. */
  readonly items: readonly (PlanItemRef & { readonly title: string; readonly done: boolean })[];
  /** Every item teaching it is done (false when nothing teaches it yet). */
  readonly done: boolean;
}

export interface LevelTrack {
  readonly level: Level;
  readonly concepts: readonly ConceptState[];
}

/** The checklist for a target level: that level's concepts and those of the levels below, senior first. */
export function levelTrack(catalog: Catalog, target: Level, isDone: (item: PlanItemRef) => boolean): LevelTrack[] {
  return LEVELS.slice(0, LEVELS.indexOf(target) + 1).map((level) => ({
    level,
    concepts: LEVEL_CONCEPTS[level].map((concept) => {
      const items = concept.items.flatMap((item) => {
        const found = item.kind === 'lesson' ? catalog.lessons.get(item.id) : catalog.challenges.get(item.id);
        return found ? [{ ...item, title: found.title, done: isDone(item) }] : [];
      });
      return { text: concept.text, items, done: items.length > 0 && items.every((item) => item.done) };
    }),
  }));
}
