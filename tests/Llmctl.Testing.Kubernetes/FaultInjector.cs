using System.Text.RegularExpressions;

namespace Llmctl.Testing.Kubernetes;

/// <summary>What a matching request gets instead of (or before) its answer.</summary>
public enum FaultKind
{
    /// <summary>Answer with an HTTP status (500, 503, 429) and a <c>Status</c> body.</summary>
    Status,
    /// <summary>Wait this long, then answer normally (to trip the client's timeout).</summary>
    Delay,
    /// <summary>Abort the connection (<c>HttpContext.Abort()</c>), as a reset would.</summary>
    Abort,
}

/// <summary>One armed fault: the next <see cref="Remaining"/> requests whose method and path match get it.</summary>
public sealed class Fault
{
    internal Fault(Regex path, string? method, int count, FaultKind kind, int status, TimeSpan delay)
    {
        Path = path;
        Method = method;
        Remaining = count;
        Kind = kind;
        StatusCode = status;
        Delay = delay;
    }

    public Regex Path { get; }
    public string? Method { get; }
    public FaultKind Kind { get; }
    public int StatusCode { get; }
    public TimeSpan Delay { get; }
    private int _remaining;
    public int Remaining { get => Volatile.Read(ref _remaining); private init => _remaining = value; }
    public int Hits { get; private set; }

    internal bool TryTake(string method, string path)
    {
        if (Method is not null && !string.Equals(Method, method, StringComparison.OrdinalIgnoreCase)) return false;
        if (!Path.IsMatch(path)) return false;
        while (true)
        {
            var left = Volatile.Read(ref _remaining);
            if (left <= 0) return false;
            if (Interlocked.CompareExchange(ref _remaining, left - 1, left) == left)
            {
                Hits++;
                return true;
            }
        }
    }
}

/// <summary>Faults armed by a test, taken first-armed first.</summary>
internal sealed class FaultInjector
{
    private readonly List<Fault> _faults = [];

    public Fault Arm(Fault fault)
    {
        lock (_faults) _faults.Add(fault);
        return fault;
    }

    public Fault? Take(string method, string path)
    {
        lock (_faults) return _faults.FirstOrDefault(f => f.TryTake(method, path));
    }

    public void Clear()
    {
        lock (_faults) _faults.Clear();
    }
}
