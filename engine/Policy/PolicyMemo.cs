using Llmctl.Engine.Model;

namespace Llmctl.Engine.Policy;

/// <summary>
/// What several policies read from the same stack (its workloads, its lanes, its cluster objects), computed once per
/// policy run instead of once per policy and per lane. <see cref="PolicyRunner.Evaluate"/> opens a memo for the stack it
/// evaluates, for as long as it runs; outside one (a policy called on its own, as tests do) <see cref="Get{T}"/>
/// computes afresh on every call. Policies only read the stack, so nothing a memo holds can go stale during a run.
/// </summary>
public sealed class PolicyMemo
{
    private static readonly AsyncLocal<PolicyMemo?> CurrentMemo = new();
    private readonly Dictionary<Type, object> _values = [];

    private PolicyMemo(StackContext stack) => Stack = stack;

    /// <summary>The stack the running evaluation reads.</summary>
    public StackContext Stack { get; }

    /// <summary>The memo of the evaluation running on this flow, or null outside one.</summary>
    public static PolicyMemo? Current => CurrentMemo.Value;

    /// <summary>Whether an evaluation of <paramref name="stack"/> is running on this flow (so <see cref="Get{T}"/> keeps what it computes).</summary>
    public static bool IsOpenFor(StackContext stack) => CurrentMemo.Value is { } memo && ReferenceEquals(memo.Stack, stack);

    /// <summary>
    /// The value of type <typeparamref name="T"/> for <paramref name="stack"/>: computed on the first call of a run and
    /// kept for the rest of it; computed on every call outside a run or for another stack. One value per type, so each
    /// kind of index has a type of its own.
    /// </summary>
    public static T Get<T>(StackContext stack, Func<StackContext, T> compute) where T : class
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(compute);
        if (!IsOpenFor(stack)) return compute(stack);
        var memo = CurrentMemo.Value!;
        if (memo._values.TryGetValue(typeof(T), out var kept)) return (T)kept;
        var value = compute(stack);
        memo._values[typeof(T)] = value;
        return value;
    }

    /// <summary>Opens a memo for <paramref name="stack"/> on this flow; disposing restores the one before.</summary>
    internal static Scope Open(StackContext stack) => new(new PolicyMemo(stack));

    internal readonly struct Scope : IDisposable
    {
        private readonly PolicyMemo? _previous;

        public Scope(PolicyMemo memo)
        {
            _previous = CurrentMemo.Value;
            CurrentMemo.Value = memo;
        }

        public void Dispose() => CurrentMemo.Value = _previous;
    }
}
