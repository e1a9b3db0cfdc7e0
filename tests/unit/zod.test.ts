import { describe, expect, it } from 'vitest';
import * as z from '#lib/zod.ts';

describe("the project's zod (the mini API)", () => {
  it("answers in English, as the API's 400s and the configuration errors say", () => {
    const schema = z.object({
      name: z.string().check(z.trim(), z.minLength(1)),
      week: z.number().check(z.int()),
    });
    const issues = schema.safeParse({ name: '  ', week: 1.5 }).error?.issues ?? [];
    expect(issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'name: Too small: expected string to have >=1 characters',
      'week: Invalid input: expected int, received number',
    ]);
  });
});
