using Llmctl.Engine.Config;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Gpu;

/// <summary>
/// What the kubelet of <paramref name="Node"/> offers to pods (<c>kubectl describe node</c> → Allocatable): the
/// budget the CPU and memory requests of everything that can run there must fit. Null: not declared.
/// </summary>
public sealed record NodeAllocatable(string Node, Quantity? Cpu, Quantity? Memory) : IResourceAnnotation;
