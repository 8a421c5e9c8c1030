using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;

namespace Llmctl.Engine.Policy;

/// <summary>How a policy's violations count: printed, blocking (exit 5), or not run. Set per pack, per policy, per stack.</summary>
public enum EnforcementLevel
{
    Advisory,
    Mandatory,
    Disabled,
}

/// <summary>A policy broken by one resource, the whole stack, or the plan — data, not an exception.</summary>
public sealed record Violation(
    string PackName,
    string PolicyName,
    EnforcementLevel Enforcement,
    string Message,
    Urn? Urn = null);

public interface IPolicy
{
    /// <summary>1–100 letters, digits, '-', '_' or '.'; unique in its pack.</summary>
    string Name { get; }
    string Description { get; }
    /// <summary>The level unless the pack or the stack sets another.</summary>
    EnforcementLevel DefaultEnforcement { get; }
}

/// <summary>Checks one resource (its type, inputs and annotations).</summary>
public interface IResourcePolicy : IPolicy
{
    IEnumerable<string> Validate(Resource resource);
}

/// <summary>Checks the whole desired tree at once (one active lane per GPU, every model locked).</summary>
public interface IStackPolicy : IPolicy
{
    IEnumerable<(string Message, Urn? Urn)> Validate(StackContext stack);
}

/// <summary>Checks the changes a run would make (device plugin and model runtime never change together).</summary>
public interface IPlanPolicy : IPolicy
{
    IEnumerable<(string Message, Urn? Urn)> Validate(Plan plan, StackContext stack);
}

/// <summary>A named, versioned set of policies.</summary>
public abstract class PolicyPack
{
    public abstract string Name { get; }
    public virtual string Version => "0.1.0";
    public abstract IReadOnlyList<IPolicy> Policies { get; }
}
