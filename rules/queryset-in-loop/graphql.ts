/**
 * queryset-in-loop in graphene GraphQL resolvers: a resolver of a listed object type (see n-plus-one/graphql.ts)
 * runs once per object of the list, so a query it runs with a value of its root
 * (`Warehouse.objects.filter(pk=root.parameters["warehouse"]).first()`) runs once per row. Only queries that
 * run where they are written (get, first, last, count, exists, aggregate, latest, earliest, in_bulk) on a
 * queryset the flow knows the model of, with an argument that comes from the root; not in nested functions (a
 * DataLoader's batch function, a promise callback).
 */
import type { SyntaxNode } from "../../server/src/engine/parser";
import type { RuleContext } from "../../server/src/engine/rule";
import { field, methodCall, nodeText, walk } from "../../server/src/engine/syntax";
import { listedGraphqlTypes, resolversOf } from "../n-plus-one/graphql";

const RUNS = new Set(["get", "first", "last", "count", "exists", "aggregate", "latest", "earliest", "in_bulk"]);

export interface ResolverQuery {
  node: SyntaxNode;
  what: string;
  resolver: string;
  rowModel: string;
  type: { start: number; end: number; name: string };
}

const isDef = (n: SyntaxNode) => n.type === "function_definition" || n.type === "lambda" || n.type === "class_definition";

/** The root parameter and the names the resolver binds from it (`warehouse = root.parameters.get("warehouse")`). */
function rootNames(text: string, def: SyntaxNode): Set<string> | null {
  const params = (field(def, "parameters")?.children ?? []).filter((p) => p.type === "identifier" || p.type === "typed_parameter");
  const first = params[0];
  const id = first?.type === "identifier" ? first : first?.children.find((c) => c.type === "identifier");
  if (!id) return null;
  const names = new Set([nodeText(text, id)]);
  const body = field(def, "body");
  if (!body) return null;
  const mentions = (n: SyntaxNode): boolean => {
    let hit = false;
    walk(n, (c) => {
      if (hit || isDef(c)) return false;
      if (c.type === "identifier" && names.has(nodeText(text, c)) && !(c.parent?.type === "attribute" && field(c.parent, "attribute") === c) && !(c.parent?.type === "keyword_argument" && field(c.parent, "name") === c)) hit = true;
      return !hit;
    });
    return hit;
  };
  for (let pass = 0; pass < 3; pass++) {
    walk(body, (n) => {
      if (isDef(n)) return false;
      const left = n.type === "assignment" ? field(n, "left") : n.type === "named_expression" ? field(n, "name") : undefined;
      const right = n.type === "assignment" ? field(n, "right") : n.type === "named_expression" ? field(n, "value") : undefined;
      if (left?.type === "identifier" && right && mentions(right)) names.add(nodeText(text, left));
      return true;
    });
  }
  return names;
}

export function checkGraphqlQueries(ctx: RuleContext, report: (q: ResolverQuery) => void): void {
  for (const t of listedGraphqlTypes(ctx)) {
    ctx.examine(t.stmt, () => {
      const values = ctx.flow().values;
      for (const { method, def } of resolversOf(ctx, t)) {
        const names = rootNames(ctx.text, def);
        const body = field(def, "body");
        if (!names || !body) continue;
        walk(body, (n) => {
          if (isDef(n)) return false;
          const mc = n.type === "call" ? methodCall(ctx.text, n) : null;
          if (!mc || !RUNS.has(mc.method)) return true;
          const v = values.get(mc.receiver);
          if (!v || (v.k !== "qs" && v.k !== "manager")) return true;
          // A related manager of the root (`root.lines.count()`) is n-plus-one's and the flow's business.
          if (v.base) return true;
          const args = field(n, "arguments");
          const fromRoot = (node: SyntaxNode | undefined): boolean => {
            let hit = false;
            if (node) walk(node, (c) => {
              if (hit || isDef(c)) return false;
              if (c.type === "identifier" && names.has(nodeText(ctx.text, c)) && !(c.parent?.type === "attribute" && field(c.parent, "attribute") === c) && !(c.parent?.type === "keyword_argument" && field(c.parent, "name") === c)) hit = true;
              return !hit;
            });
            return hit;
          };
          // The query must depend on the row: a lookup of something global (the site's settings) may be cached.
          if (!fromRoot(mc.receiver) && !fromRoot(args)) return true;
          report({ node: n, what: `${v.model.name} ${mc.method}()`, resolver: method.name, rowModel: t.model.name, type: { start: t.cls.nameStart, end: t.cls.nameEnd, name: t.cls.name } });
          return false;
        });
      }
    });
  }
}
