// Tests for the checkRecursion stage.
import { describe, expect, it } from 'vitest';
import { checkSources } from './helpers.js';

type Case = { note: string; srcs: string[]; diags: string[] };

const cases: Case[] = [
  {
    note: 'mutual recursion reports each rule of the cycle',
    srcs: ['package a\np if q\nq if p\n'],
    diags: [
      'rego_recursion_error 2:1 rule data.a.p is recursive: data.a.p -> data.a.q -> data.a.p',
      'rego_recursion_error 3:1 rule data.a.q is recursive: data.a.q -> data.a.p -> data.a.q',
    ],
  },
  {
    note: 'recursion through a function',
    srcs: ['package a\nf(x) := y if { y := f(x) }\n'],
    diags: ['rego_recursion_error 2:1 rule data.a.f is recursive: data.a.f -> data.a.f'],
  },
  {
    note: 'recursion through a package prefix ref',
    srcs: ['package a.b\np := x if { x := data.a }\n'],
    diags: ['rego_recursion_error 2:1 rule data.a.b.p is recursive: data.a.b.p -> data.a.b.p'],
  },
  {
    note: 'refs with variable keys only match rules further down that fit',
    srcs: ['package t\np := data[k].allow if k := "x"\n', 'package x\nallow := true\n'],
    diags: [],
  },
  {
    note: 'with targets are not dependencies',
    srcs: ['package a\np if { q with data.a.p as 1 }\nq := 1\n'],
    diags: [],
  },
];

describe('checkRecursion', () => {
  it.each(cases)('$note', (c) => {
    expect(checkSources(c.srcs).diags).toEqual(c.diags);
  });
});
