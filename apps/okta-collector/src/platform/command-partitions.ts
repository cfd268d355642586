import { Injectable } from '@nestjs/common';

/**
 * The partitions of `okta.commands.v1` this instance's consumer owns right
 * now (the consumer group decides; the Kafka slice reports each assignment).
 * An org's scheduled and requested work runs on the instance that owns the
 * partition its commands arrived on; adding an instance moves partitions, and
 * with them orgs, through Kafka's own rebalance. The org lease still fences a
 * run, since two instances can both believe they own a partition for the
 * length of a rebalance.
 */
@Injectable()
export class CommandPartitions {
  private owned: readonly number[] = [];
  private generation = 0;

  assigned(partitions: readonly number[]): void {
    this.owned = [...partitions].sort((a, b) => a - b);
    this.generation += 1;
  }

  /** The consumer stopped or crashed: it owns nothing until it joins again. */
  revoked(): void {
    this.owned = [];
    this.generation += 1;
  }

  current(): readonly number[] {
    return this.owned;
  }

  /** Bumped on every change (tests wait on it). */
  changes(): number {
    return this.generation;
  }
}
