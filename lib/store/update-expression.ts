/**
 * Builds a SET-only UpdateExpression with placeholder names and values, so attribute names
 * that are reserved words (status, name, ttl …) or carry odd characters are always safe.
 */
export class UpdateBuilder {
  readonly #sets: string[] = [];
  readonly #names: Record<string, string> = {};
  readonly #values: Record<string, unknown> = {};
  #next = 0;

  /** Always write the value. Undefined values are skipped, not removed. */
  set(attribute: string, value: unknown): this {
    if (value === undefined) return this;
    const [n, v] = this.#placeholders(attribute, value);
    this.#sets.push(`${n} = ${v}`);
    return this;
  }

  /** Write the value only when the attribute is absent (creation fields). */
  setIfNotExists(attribute: string, value: unknown): this {
    if (value === undefined) return this;
    const [n, v] = this.#placeholders(attribute, value);
    this.#sets.push(`${n} = if_not_exists(${n}, ${v})`);
    return this;
  }

  /** Append to a list (absent: an empty list first), e.g. a history that is only ever added to. */
  append(attribute: string, items: readonly unknown[]): this {
    if (items.length === 0) return this;
    const i = this.#next++;
    this.#names[`#n${i}`] = attribute;
    this.#values[`:e${i}`] = [];
    this.#values[`:v${i}`] = [...items];
    this.#sets.push(`#n${i} = list_append(if_not_exists(#n${i}, :e${i}), :v${i})`);
    return this;
  }

  /** Add one to a counter (absent: 0), e.g. a record's version. */
  increment(attribute: string): this {
    const i = this.#next++;
    this.#names[`#n${i}`] = attribute;
    this.#values[`:z${i}`] = 0;
    this.#values[`:o${i}`] = 1;
    this.#sets.push(`#n${i} = if_not_exists(#n${i}, :z${i}) + :o${i}`);
    return this;
  }

  /** A placeholder for an attribute name, for use in a ConditionExpression. */
  name(attribute: string): string {
    const n = `#c${this.#next++}`;
    this.#names[n] = attribute;
    return n;
  }

  /** A placeholder for a value, for use in a ConditionExpression. */
  value(value: unknown): string {
    const v = `:c${this.#next++}`;
    this.#values[v] = value;
    return v;
  }

  get isEmpty(): boolean {
    return this.#sets.length === 0;
  }

  build(): {
    UpdateExpression: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues: Record<string, unknown>;
  } {
    if (this.#sets.length === 0) throw new Error('UpdateBuilder: nothing to set');
    return {
      UpdateExpression: `SET ${this.#sets.join(', ')}`,
      ExpressionAttributeNames: { ...this.#names },
      ExpressionAttributeValues: { ...this.#values },
    };
  }

  #placeholders(attribute: string, value: unknown): [string, string] {
    const i = this.#next++;
    this.#names[`#n${i}`] = attribute;
    this.#values[`:v${i}`] = value;
    return [`#n${i}`, `:v${i}`];
  }
}
