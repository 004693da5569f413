package io.fondation.http.api;

import static io.fondation.http.api.MarkdownHtml.escape;

import io.fondation.http.api.ApiHandler.Request;
import io.fondation.http.api.ApiHandler.Response;
import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import io.fondation.shared.DocumentReadingOrder;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A completed job's documents as one readable page, rendered on the server with no script: a table of contents,
 * the chapters in reading order (the reviewed chapters when the analyzer reviewed them, the first drafts folded
 * away), the tutorials, and the analysis data (the step files) folded at the end. Every text comes from an LLM run
 * on untrusted code, so all of it is escaped ({@link MarkdownHtml}).
 */
final class CoursePage {

    private final JobQueue queue;
    private final JobsApi jobs;

    CoursePage(JobQueue queue, JobsApi jobs) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.jobs = Objects.requireNonNull(jobs, "jobs");
    }

    Response page(Request request) {
        JobSnapshot job;
        try {
            job = jobs.job(request);
        } catch (ApiException e) {
            return Response.html(404, shell("No such job", "<p class=\"notice\">" + escape(e.getMessage()) + "</p>"));
        }
        String repository = JobJson.repository(job.source());
        if (job.status() != JobStatus.COMPLETED) {
            return Response.html(
                    200,
                    shell(
                            repository,
                            "<p class=\"notice\" id=\"not-ready\">This job is "
                                    + escape(job.status().wireName())
                                    + "; its course appears here once it has completed.</p>"));
        }
        List<Document> documents = DocumentReadingOrder.sorted(queue.documents(job.id()));
        List<Document> reviewed = new ArrayList<>();
        List<Document> drafts = new ArrayList<>();
        List<Document> tutorials = new ArrayList<>();
        List<Document> data = new ArrayList<>();
        for (Document document : documents) {
            if (document.kind() == DocumentKind.CHAPTER) {
                (isReviewed(document) ? reviewed : drafts).add(document);
            } else if (document.kind() == DocumentKind.TUTORIAL) {
                tutorials.add(document);
            } else {
                data.add(document);
            }
        }
        List<Document> chapters = reviewed.isEmpty() ? drafts : reviewed;
        List<Document> folded = reviewed.isEmpty() ? List.of() : drafts;

        StringBuilder toc = new StringBuilder("<nav class=\"toc\" aria-label=\"Contents\"><h2>Contents</h2>");
        StringBuilder main = new StringBuilder("<main class=\"course-body\">");
        int[] counter = {0};
        section(toc, main, "Chapters", "chapters", chapters, counter, false);
        section(toc, main, "Tutorials", "tutorials", tutorials, counter, false);
        section(toc, main, "First drafts of the chapters", "drafts", folded, counter, true);
        section(toc, main, "Analysis data", "data", data, counter, true);
        toc.append("</nav>");
        main.append("</main>");
        String summary = "<p class=\"summary\">" + chapters.size() + " chapter" + (chapters.size() == 1 ? "" : "s")
                + ", " + tutorials.size() + " tutorial" + (tutorials.size() == 1 ? "" : "s") + " · job "
                + escape(job.id())
                + (job.source().branch() == null
                        ? ""
                        : " · branch " + escape(job.source().branch()))
                + "</p>";
        return Response.html(200, shell(repository, summary + "<div class=\"course-layout\">" + toc + main + "</div>"));
    }

    private static void section(
            StringBuilder toc,
            StringBuilder main,
            String title,
            String id,
            List<Document> documents,
            int[] counter,
            boolean fold) {
        if (documents.isEmpty()) {
            return;
        }
        toc.append("<h3>").append(escape(title)).append("</h3><ol>");
        main.append(
                fold
                        ? "<details class=\"section\" id=\"" + id + "\"><summary>" + escape(title) + "</summary>"
                        : "<section class=\"section\" id=\"" + id + "\"><h2 class=\"section-title\">" + escape(title)
                                + "</h2>");
        for (Document document : documents) {
            String anchor = "doc-" + counter[0]++;
            toc.append("<li><a href=\"#")
                    .append(anchor)
                    .append("\">")
                    .append(escape(title(document)))
                    .append("</a></li>");
            main.append("<article class=\"doc doc-")
                    .append(document.kind().wireName())
                    .append("\" id=\"")
                    .append(anchor)
                    .append("\" data-slug=\"")
                    .append(escape(document.slug()))
                    .append("\">");
            if (document.kind() == DocumentKind.YAML) {
                main.append("<h3>")
                        .append(escape(document.title()))
                        .append("</h3><pre><code>")
                        .append(escape(document.content()))
                        .append("</code></pre>");
            } else {
                main.append(MarkdownHtml.render(document.content()));
            }
            main.append("</article>");
        }
        toc.append("</ol>");
        main.append(fold ? "</details>" : "</section>");
    }

    private static boolean isReviewed(Document document) {
        return document.slug().startsWith(DocumentReadingOrder.REVIEWED_PREFIX)
                || document.title().startsWith(DocumentReadingOrder.REVIEWED_TITLE_PREFIX);
    }

    private static String title(Document document) {
        String title = document.title();
        return title.startsWith(DocumentReadingOrder.REVIEWED_TITLE_PREFIX)
                ? title.substring(DocumentReadingOrder.REVIEWED_TITLE_PREFIX.length())
                : title;
    }

    /** The page around a body: the stylesheet, a way back to the jobs, the title. */
    static String shell(String title, String body) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>" + escape(title) + " · Fondation</title>"
                + "<link rel=\"stylesheet\" href=\"/ui/app.css\"></head><body class=\"course\">"
                + "<header class=\"top\"><a class=\"back\" href=\"/ui/\">← All jobs</a><h1>" + escape(title)
                + "</h1></header>" + body + "</body></html>";
    }
}
