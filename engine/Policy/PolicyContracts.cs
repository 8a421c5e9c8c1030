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

/// <summary>
/// One thing a stack or plan policy found: a message that says what to change, the resource it is about, and whether
/// it is only a warning (reported as advisory even when the policy is mandatory: "inside the margin", "above 90 %").
/// A <c>(message, urn)</c> tuple converts to a finding at the policy's own level.
/// </summary>
public readonly record struct PolicyFinding(string Message, Urn? Urn = null, bool Warning = false)
{
    public static implicit operator PolicyFinding((string Message, Urn? Urn) finding) => new(finding.Message, finding.Urn);

    /// <summary>A finding that never blocks: advisory at most.</summary>
    public static PolicyFinding Warn(string message, Urn? urn = null) => new(message, urn, Warning: true);
}

/// <summary>Checks the whole desired tree at once (one active lane per GPU, every model locked).</summary>
public interface IStackPolicy : IPolicy
{
    IEnumerable<PolicyFinding> Validate(StackContext stack);
}

/// <summary>Checks the changes a run would make (device plugin and model runtime never change together).</summary>
public interface IPlanPolicy : IPolicy
{
    IEnumerable<PolicyFinding> Validate(Plan plan, StackContext stack);
}

/// <summary>A named, versioned set of policies.</summary>
public abstract class PolicyPack
{
    public abstract string Name { get; }
    public virtual string Version => "0.1.0";
    public abstract IReadOnlyList<IPolicy> Policies { get; }
}
