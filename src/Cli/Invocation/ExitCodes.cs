namespace Totallator.Cli;

/// <summary>What the command line's exit code tells a script (docs/client-and-cli.md lists them).</summary>
public static class ExitCodes
{
    /// <summary>Done; for <c>trigger --wait</c>, the run succeeded.</summary>
    public const int Ok = 0;
    /// <summary><c>trigger --wait</c>: the run failed, timed out, was abandoned or skipped, or did not end within <c>--wait-timeout</c>.</summary>
    public const int RunFailed = 1;
    /// <summary>The command line is wrong (unknown command, missing argument, no address or key), or the API refused the input as invalid (400).</summary>
    public const int Usage = 2;
    /// <summary>No such job, execution or key (404).</summary>
    public const int NotFound = 3;
    /// <summary>The key is missing, unknown or revoked (401), or its role may not do this (403).</summary>
    public const int Auth = 4;
    /// <summary>The request clashes with the current state (409: a run in progress, a run already ended) or an edit was based on a stale version (412).</summary>
    public const int Conflict = 5;
    /// <summary>The API could not be reached, did not answer in time, or failed (5xx, 503 when its cluster or database is down).</summary>
    public const int Unavailable = 6;
    /// <summary>Too many triggers (429); wait the time the message gives, then try again.</summary>
    public const int RateLimited = 7;
    /// <summary>Interrupted (Ctrl+C).</summary>
    public const int Cancelled = 130;
}
