/** The department tree (大科 → 小科) of the admin's flat list, ordered as the patient app orders it. */
import type { AdminDepartment } from '../api/schema';

export type DepartmentNode = AdminDepartment & { children?: DepartmentNode[] };

/** parentId links → a tree ordered by sortOrder, then id (as the server orders the patient tree). */
export function toTree(items: AdminDepartment[]): DepartmentNode[] {
  const byId = new Map<number, DepartmentNode>(items.map((d) => [d.id, { ...d }]));
  const roots: DepartmentNode[] = [];
  for (const node of byId.values()) {
    const parent = node.parentId === null ? undefined : byId.get(node.parentId);
    if (parent) (parent.children ??= []).push(node);
    else roots.push(node);
  }
  const order = (list: DepartmentNode[]) => {
    list.sort((a, b) => a.sortOrder - b.sortOrder || a.id - b.id);
    for (const n of list) if (n.children) order(n.children);
  };
  order(roots);
  return roots;
}

/** The flat list in the tree's order — each 大科 followed by its 小科 — as every department picker lists it. */
export function inTreeOrder(items: AdminDepartment[]): AdminDepartment[] {
  const flat = (nodes: DepartmentNode[]): AdminDepartment[] => nodes.flatMap(({ children, ...d }) => [d, ...flat(children ?? [])]);
  return flat(toTree(items));
}
