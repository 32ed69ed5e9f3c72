using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ProxChat.Host;

/// <summary>
/// The body of <c>/readyz</c>: the status, then what each check that is not healthy says, so that
/// <c>curl /readyz</c> tells the on-call engineer why a node takes no clients. Probes read only the
/// status code.
/// </summary>
internal static class HealthResponse
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var text = new StringBuilder(report.Status.ToString());
        foreach (var (name, entry) in report.Entries)
        {
            if (entry.Status != HealthStatus.Healthy)
            {
                text.Append('\n').Append(name).Append(": ").Append(entry.Description);
            }
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text.Append('\n').ToString(), context.RequestAborted);
    }
}
