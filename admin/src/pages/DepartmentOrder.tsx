/**
 * 调整科室顺序: the department tree, dragged into order. A drop among the same parent's
 * departments saves that parent's whole new order at once (PUT /admin/departments/order), which
 * the patient app then lists; a drop under another parent is refused here — moving a 小科 to
 * another 大科 is an edit of its 上级科室.
 */
import { HolderOutlined } from '@ant-design/icons';
import { Alert, App, Modal, Spin, Tag, Tree, type TreeDataNode, type TreeProps } from 'antd';
import { useMemo, useState } from 'react';
import { departmentApi } from '../api/endpoints';
import type { AdminDepartment } from '../api/schema';
import { toTree, type DepartmentNode } from '../api/departmentTree';

function treeData(nodes: DepartmentNode[]): TreeDataNode[] {
  return nodes.map((d) => ({
    key: d.id,
    title: (
      <span data-testid={`order-${d.id}`}>
        {d.name}
        {d.active ? null : <Tag style={{ marginLeft: 8 }}>已停用</Tag>}
      </span>
    ),
    children: d.children ? treeData(d.children) : undefined,
  }));
}

/** The ids under `parentId` in their current order, with `moved` put just before or after `next`, or first. */
function movedOrder(departments: AdminDepartment[], parentId: number | null, moved: number, next: { target: number; after: boolean } | undefined): number[] {
  const siblings = departments
    .filter((d) => d.parentId === parentId)
    .sort((a, b) => a.sortOrder - b.sortOrder || a.id - b.id)
    .map((d) => d.id);
  const rest = siblings.filter((id) => id !== moved);
  const at = next ? rest.indexOf(next.target) + (next.after ? 1 : 0) : 0;
  return [...rest.slice(0, at), moved, ...rest.slice(at)];
}

export function DepartmentOrderModal({ open, departments, onClose, onSaved }: { open: boolean; departments: AdminDepartment[]; onClose: () => void; onSaved: () => void }) {
  const { message } = App.useApp();
  const [saving, setSaving] = useState(false);
  const parentOf = useMemo(() => new Map(departments.map((d) => [d.id, d.parentId])), [departments]);
  const nameOf = (id: number) => departments.find((d) => d.id === id)?.name ?? '';
  const data = useMemo(() => treeData(toTree(departments)), [departments]);

  // Between two departments of the same parent; "into" only the department's own parent, which is how the
  // tree drops above a parent's first child (its first place). Never under another parent.
  const allowDrop: TreeProps['allowDrop'] = ({ dragNode, dropNode, dropPosition }) => {
    const parentId = parentOf.get(Number(dragNode.key));
    if (dropPosition === 0) return Number(dropNode.key) === parentId;
    return parentOf.get(Number(dropNode.key)) === parentId;
  };

  const onDrop: TreeProps['onDrop'] = async (info) => {
    const moved = Number(info.dragNode.key);
    const target = Number(info.node.key);
    const parentId = parentOf.get(moved) ?? null;
    let ids: number[];
    if (!info.dropToGap && target === parentId) {
      ids = movedOrder(departments, parentId, moved, undefined);
    } else if (info.dropToGap && parentOf.get(target) === parentId) {
      // info.dropPosition counts from the parent's first child; the target's own index is its pos's last part.
      const after = info.dropPosition > Number(info.node.pos.split('-').at(-1));
      ids = movedOrder(departments, parentId, moved, { target, after });
    } else {
      message.warning('只能在同一上级科室内调整顺序；要移到其他大科，请编辑该科室的上级科室');
      return;
    }
    setSaving(true);
    try {
      await departmentApi.reorder({ parentId, ids });
      message.success(`已调整「${parentId === null ? '一级科室' : nameOf(parentId)}」下的科室顺序`);
      onSaved();
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal title="调整科室顺序" open={open} onCancel={onClose} onOk={onClose} okText="完成" cancelButtonProps={{ style: { display: 'none' } }} width={520} destroyOnHidden>
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        message="拖动科室调整顺序，松开即保存"
        description="患者端按此顺序显示。只能在同一上级科室内调整；要把小科移到其他大科，请编辑该科室的上级科室。"
      />
      <Spin spinning={saving} tip="正在保存…">
        <div data-testid="department-order-tree">
          <Tree treeData={data} draggable={{ icon: <HolderOutlined /> }} blockNode defaultExpandAll allowDrop={allowDrop} onDrop={onDrop} selectable={false} />
        </div>
      </Spin>
    </Modal>
  );
}
