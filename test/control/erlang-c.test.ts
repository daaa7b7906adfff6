import { describe, expect, it } from 'vitest';
import { agentsForServiceLevel, erlangC, ErlangInputError, serviceLevel } from '../../lambda/control/erlang-c.js';

describe('Erlang C', () => {
  it('matches the closed forms of M/M/1 and M/M/2', () => {
    // Prepare: M/M/1 waits with probability rho; M/M/2 at rho = 0.5 with 2 rho^2 / (1 + rho) = 1/3.
    // Act / Assess
    expect(erlangC(1, 0.5)).toBeCloseTo(0.5, 12);
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 12);
  });

  it('matches the textbook sum form, A^N/N! N/(N-A) / (sum_{k<N} A^k/k! + A^N/N! N/(N-A)), for 10 erlangs', () => {
    // Prepare: the direct form, computed apart from the recurrence under test
    const direct = (n: number, a: number): number => {
      let term = 1;
      let sum = 0;
      for (let k = 0; k < n; k += 1) {
        sum += term;
        term *= a / (k + 1);
      }
      const top = (term * n) / (n - a);
      return top / (sum + top);
    };
    for (const agents of [11, 12, 13, 14, 20]) {
      // Act / Assess
      expect(erlangC(agents, 10)).toBeCloseTo(direct(agents, 10), 12);
    }
    // M/M/1: P(wait <= t) = 1 - rho exp(-(1 - rho) t / E[S])
    expect(serviceLevel(1, 0.5, 100, 50)).toBeCloseTo(1 - 0.5 * Math.exp(-0.25), 12);
  });

  it('finds the fewest agents for a target: 14 for 80/20 on 10 erlangs of 180 s calls (13 reach 79.6%), none for no load', () => {
    expect(serviceLevel(13, 10, 180, 20)).toBeCloseTo(0.7956, 4);
    expect(serviceLevel(14, 10, 180, 20)).toBeCloseTo(0.8884, 4);
    expect(agentsForServiceLevel(10, 180, 0.8, 20)).toBe(14);
    expect(agentsForServiceLevel(10, 180, 0.79, 20)).toBe(13);
    expect(agentsForServiceLevel(0, 180, 0.8, 20)).toBe(0);
  });

  it('treats an unstable queue as all waiting, and names a bad argument', () => {
    expect(erlangC(10, 10)).toBe(1);
    expect(serviceLevel(9, 10, 180, 20)).toBe(0);
    expect(() => erlangC(2.5, 1)).toThrow(ErlangInputError);
    expect(() => erlangC(2, -1)).toThrow(/load must be/);
    expect(() => agentsForServiceLevel(5, 180, 1, 20)).toThrow(/target must be a fraction/);
  });
});
