using Llmctl.Components;

namespace Llmctl.Stacks.Compose;

/// <summary>
/// Collects what the composition cannot build, so one run reports every problem (two bad lanes: both) instead of the
/// first. Each unit of composition — a layer, a lane — runs through <see cref="Try{T}"/>: a
/// <see cref="StackCompositionException"/> keeps its key paths, and a component's <see cref="ComponentArgumentException"/>
/// is mapped back to the config key its argument came from (<c>ctxSize</c> of a lane → <c>lanes.items[0].ctxSize</c>),
/// which the pipeline turns into the file:line:column of the stack value.
/// </summary>
/// <param name="partial">The config did not bind cleanly (<see cref="StackPipeline.Bind"/> composes it only to report the
/// composition's problems beside binding's): a unit whose input failed to bind may fail in any way, and is skipped,
/// since binding already said why.</param>
public sealed class CompositionProblems(string projectName, bool partial = false)
{
    private readonly List<CompositionProblem> _items = [];

    /// <summary>Composing a config that did not bind cleanly, only for its problems.</summary>
    public bool Partial => partial;

    public IReadOnlyList<CompositionProblem> Items => _items;

    /// <summary>
    /// Runs <paramref name="compose"/>; a problem it throws is recorded and <c>default</c> comes back.
    /// </summary>
    /// <param name="section">The config path of what is composed (<c>lanes.items[2]</c>, <c>gateway</c>).</param>
    /// <param name="arguments">Component argument → config path under <paramref name="section"/> where the names differ
    /// (<c>modelFile</c> → <c>model</c>); a path starting with '/' is from the namespace root (<c>/lanes.namespace</c>).</param>
    public T? Try<T>(string section, Func<T> compose, IReadOnlyDictionary<string, string>? arguments = null)
    {
        ArgumentNullException.ThrowIfNull(compose);
        try
        {
            return compose();
        }
        catch (StackCompositionException e)
        {
            _items.AddRange(e.Problems);
        }
        catch (ComponentArgumentException e)
        {
            var component = $"{e.Urn.Type[(e.Urn.Type.LastIndexOf(':') + 1)..]} '{e.Urn.Name}'";
            foreach (var p in e.Problems)
            {
                _items.Add(new CompositionProblem(KeyOf(section, p.Argument, arguments), $"{component}: {p.Message}"));
            }
        }
        catch (Exception) when (partial)
        {
            // A value this unit reads did not bind (it is null or a default): binding reported it.
        }
        return default;
    }

    /// <summary>Runs a unit that returns nothing.</summary>
    public void Try(string section, Action compose, IReadOnlyDictionary<string, string>? arguments = null) =>
        Try<bool>(section, () =>
        {
            compose();
            return true;
        }, arguments);

    /// <summary>Stops the composition with every problem so far; what comes next would only repeat them.</summary>
    public void ThrowIfAny()
    {
        if (_items.Count > 0) throw new StackCompositionException([.. _items]);
    }

    private string KeyOf(string section, string argument, IReadOnlyDictionary<string, string>? arguments)
    {
        // "resources.requests.cpu" maps by its first step.
        var dot = argument.IndexOfAny(['.', '[']);
        var head = dot < 0 ? argument : argument[..dot];
        var rest = dot < 0 ? "" : argument[dot..];
        var path = arguments?.GetValueOrDefault(head) is { } mapped ? mapped + rest : argument;
        return path.StartsWith('/') ? $"{projectName}:{path[1..]}" : $"{projectName}:{section}.{path}";
    }
}
