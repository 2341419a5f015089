import { describe, expect, it } from 'vitest';
import { splitSqlScript } from './sql-script.js';

describe('splitSqlScript', () => {
  it('splits at statement ends only: not in strings, names, dollar quotes or comments; drops psql commands', () => {
    const dump = [
      '\\restrict AbC123',
      '--',
      '-- PostgreSQL database dump',
      '--',
      'SET standard_conforming_strings = on;',
      "SELECT pg_catalog.set_config('search_path', '', false);",
      '/* a ; comment /* nested ; */ */',
      "CREATE FUNCTION public.f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'a; b'; END $$;",
      "CREATE FUNCTION public.g() RETURNS text AS $body$ SELECT ';' $body$ LANGUAGE sql;",
      'CREATE TABLE public."odd;name" (a text);',
      "INSERT INTO public.t VALUES\n\t('it''s; fine', E'back\\\\slash\\'; still', '$1;'),\n\t('x', 'y', 'z');",
      '-- Name: s; Type: SEQUENCE SET',
      "SELECT pg_catalog.setval('public.s', 1, true);",
      '\\unrestrict AbC123',
      '',
    ].join('\n');
    expect(splitSqlScript(dump)).toEqual([
      'SET standard_conforming_strings = on;',
      "SELECT pg_catalog.set_config('search_path', '', false);",
      "/* a ; comment /* nested ; */ */\nCREATE FUNCTION public.f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'a; b'; END $$;",
      "CREATE FUNCTION public.g() RETURNS text AS $body$ SELECT ';' $body$ LANGUAGE sql;",
      'CREATE TABLE public."odd;name" (a text);',
      "INSERT INTO public.t VALUES\n\t('it''s; fine', E'back\\\\slash\\'; still', '$1;'),\n\t('x', 'y', 'z');",
      "SELECT pg_catalog.setval('public.s', 1, true);",
    ]);
  });

  it('refuses a dump that stops in the middle of a statement or a string', () => {
    expect(() => splitSqlScript("INSERT INTO t VALUES ('cut")).toThrow(/unterminated/);
    expect(() => splitSqlScript('CREATE TABLE t (a text)')).toThrow(/middle of a statement/);
    expect(() => splitSqlScript('CREATE FUNCTION f() AS $$ begin')).toThrow(/unterminated \$\$/);
  });
});
