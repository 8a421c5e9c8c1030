using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;

namespace Llmctl.Engine.Output;

/// <summary>
/// The plan's steps as a tree by parent URN, children in step (registration) order. A step whose parent is not in
/// the plan is a root. Built in one pass over the steps with a URN index, so a large plan stays linear.
/// </summary>
internal sealed class PreviewTree
{
    public sealed class Node(Step step)
    {
        public Step Step { get; } = step;
        public Node? Parent { get; set; }
        public List<Node> Children { get; } = [];
        public bool Visible { get; set; }
    }

    private PreviewTree(List<Node> roots) => Roots = roots;

    public List<Node> Roots { get; }

    public static PreviewTree Build(Plan plan)
    {
        var steps = plan.Shown.ToList();
        var nodes = new Node[steps.Count];
        var byUrn = new Dictionary<Urn, Node>(nodes.Length);
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i] = new Node(steps[i]);
            byUrn.TryAdd(steps[i].Urn, nodes[i]);
        }
        var roots = new List<Node>();
        foreach (var node in nodes)
        {
            var parentUrn = node.Step.New?.Parent ?? node.Step.Old?.Parent;
            if (parentUrn is { } p && byUrn.TryGetValue(p, out var parent) && parent != node)
            {
                node.Parent = parent;
                parent.Children.Add(node);
            }
            else
            {
                roots.Add(node);
            }
        }
        BreakCycles(nodes, roots);
        return new PreviewTree(roots);
    }

    /// <summary>Marks <paramref name="node"/> and its ancestors visible; stops at the first one already marked.</summary>
    public static void Show(Node node)
    {
        for (var n = node; n is not null && !n.Visible; n = n.Parent) n.Visible = true;
    }

    /// <summary>
    /// A malformed plan can make parents point in a circle; those nodes are unreachable from the roots. Each one
    /// found, in step order, is cut from its parent and made a root, so every step is drawn exactly once.
    /// </summary>
    private static void BreakCycles(Node[] nodes, List<Node> roots)
    {
        var reached = new HashSet<Node>(nodes.Length);
        var stack = new Stack<Node>();
        void Reach(Node from)
        {
            stack.Push(from);
            while (stack.Count > 0)
            {
                var n = stack.Pop();
                if (!reached.Add(n)) continue;
                foreach (var c in n.Children) stack.Push(c);
            }
        }
        foreach (var root in roots) Reach(root);
        if (reached.Count == nodes.Length) return;
        foreach (var node in nodes)
        {
            if (reached.Contains(node)) continue;
            node.Parent!.Children.Remove(node);
            node.Parent = null;
            roots.Add(node);
            Reach(node);
        }
    }
}
