namespace Llmctl.Engine.Model;

/// <summary>
/// A typed fact a component attaches to a resource for policies and verbs to read — the GPU a workload needs,
/// the model it serves, a node's GPU memory. Annotations never reach a provider or the checkpoint.
/// </summary>
public interface IResourceAnnotation;

/// <summary>The annotations of one resource, in the order they were added.</summary>
public sealed class AnnotationCollection : IReadOnlyCollection<IResourceAnnotation>
{
    private readonly List<IResourceAnnotation> _items = [];

    public int Count => _items.Count;

    public void Add(IResourceAnnotation annotation)
    {
        ArgumentNullException.ThrowIfNull(annotation);
        _items.Add(annotation);
    }

    // Asked per resource and policy on stacks of thousands, where most resources have no annotations: neither
    // allocates a query when there is nothing to find.
    public IEnumerable<T> OfType<T>() where T : IResourceAnnotation => _items.Count == 0 ? [] : _items.OfType<T>();

    public T? Find<T>() where T : class, IResourceAnnotation
    {
        foreach (var item in _items)
        {
            if (item is T found) return found;
        }
        return null;
    }

    public IEnumerator<IResourceAnnotation> GetEnumerator() => _items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
