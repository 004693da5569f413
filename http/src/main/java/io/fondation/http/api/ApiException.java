package io.fondation.http.api;

/**
 * A request the API refuses: an HTTP status and a JSON error {@code {error, field?}} that says what is wrong and,
 * for bad input, which field.
 */
final class ApiException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String field;

    ApiException(int status, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.field = field;
    }

    static ApiException badRequest(String field, String message) {
        return new ApiException(400, message, field);
    }

    static ApiException notFound(String message) {
        return new ApiException(404, message, null);
    }

    int status() {
        return status;
    }

    String field() {
        return field;
    }
}
