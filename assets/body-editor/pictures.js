/* Pictures from the library: their thumbnails for the body's figures, and the picker that
   finds one (by title, caption or credit) or uploads a new one (through the library's own
   checks: its title from the file's name, alt text asked, credit and caption offered) and
   places it. A refused upload says why and leaves the article as it was. */
const known = new Map();

export function pictureInfo(url, ids) {
  const wanted = ids.filter((id) => !known.has(id));
  const asked = wanted.length && url
    ? fetch(url + "?ids=" + wanted.join(","), { credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : { pictures: [] }))
        .then((data) => data.pictures.forEach((picture) => known.set(String(picture.id), picture)))
        .catch(() => {})
    : Promise.resolve();
  return asked.then(() => Object.fromEntries(ids.filter((id) => known.has(id)).map((id) => [id, known.get(id)])));
}

/* What the picker last heard of a picture ({id, title, alt, thumbnail…}), or undefined. */
export function knownPicture(id) {
  return known.get(String(id));
}

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([name, value]) => node.setAttribute(name, value));
  if (text) node.textContent = text;
  return node;
}

function field(form, name, label, attrs) {
  const id = "picture-upload-" + name;
  const input = el(attrs && attrs.multiline ? "textarea" : "input", { id, name, ...(attrs && attrs.multiline ? { rows: "2" } : { type: (attrs && attrs.type) || "text" }) });
  if (attrs && attrs.required) input.required = true;
  if (attrs && attrs.accept) input.accept = attrs.accept;
  const row = el("p", { class: "picture-upload-row" });
  row.append(el("label", { for: id }, label), input);
  form.append(row);
  return input;
}

function token() {
  const input = document.querySelector("#article_form [name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

export function picturePicker(context, place) {
  const dialog = el("dialog", { class: "picture-dialog", "aria-labelledby": "picture-dialog-title" });
  const title = el("h2", { id: "picture-dialog-title" }, "Place a picture");
  const search = el("input", { type: "search", id: "picture-search", placeholder: "Title, caption or credit" });
  const searchLabel = el("label", { for: "picture-search" }, "Find a picture");
  const results = el("ul", { class: "picture-grid", "aria-label": "Pictures found" });
  const status = el("p", { class: "help", role: "status" });

  // The upload, inside the picker.
  const upload = el("form", { class: "picture-upload", "aria-labelledby": "picture-upload-title" });
  upload.append(el("h3", { id: "picture-upload-title" }, "Or upload a new one"));
  const file = field(upload, "file", "Picture file (JPEG, PNG, WebP or GIF)", { type: "file", required: true, accept: "image/jpeg,image/png,image/webp,image/gif" });
  const alt = field(upload, "alt_text", "Alt text: what the picture shows, for readers who cannot see it", { required: true });
  const credit = field(upload, "credit", "Credit (photographer or source)");
  const caption = field(upload, "caption", "Caption (shown under the picture)", { multiline: true });
  const refusal = el("div", { class: "picture-upload-errors", role: "alert" });
  const send = el("button", { type: "submit", class: "button default" }, "Upload and place");
  upload.append(refusal, send);

  const close = el("button", { type: "button", class: "button" }, "Close");
  dialog.append(title, searchLabel, search, status, results, upload, close);
  close.addEventListener("click", () => dialog.close());
  let timer = null, placeAt = place;

  function find() {
    fetch(context.picturesUrl + "?q=" + encodeURIComponent(search.value), { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : { pictures: [] }))
      .then((data) => {
        results.replaceChildren();
        data.pictures.forEach((picture) => {
          known.set(String(picture.id), picture);
          const choose = el("button", { type: "button", class: "picture-choice" });
          const img = el("img", { src: picture.thumbnail || "", alt: "", width: picture.width, height: picture.height, loading: "lazy" });
          choose.append(img, el("span", {}, picture.title), el("span", { class: "quiet" }, picture.caption || picture.credit || ""));
          choose.addEventListener("click", () => {
            dialog.close();
            placeAt({ kind: "image", value: String(picture.id) });
          });
          const item = el("li");
          item.append(choose);
          results.append(item);
        });
        status.textContent = data.pictures.length ? data.pictures.length + " found" : "No picture found.";
      });
  }
  search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(find, 200); });

  upload.addEventListener("submit", (event) => {
    event.preventDefault();
    event.stopPropagation();  // never the article's form
    const data = new FormData(upload);
    refusal.replaceChildren();
    send.disabled = true;
    status.textContent = "Uploading…";
    fetch(context.uploadUrl, { method: "POST", body: data, headers: { "X-CSRFToken": token() }, credentials: "same-origin" })
      .then((response) => response.json().then((answer) => ({ ok: response.ok, status: response.status, answer }), () => ({ ok: false, status: response.status, answer: {} })))
      .then(({ ok, status: code, answer }) => {
        if (ok) {
          known.set(String(answer.picture.id), answer.picture);
          upload.reset();
          status.textContent = "";
          dialog.close();
          placeAt({ kind: "image", value: String(answer.picture.id) });
          return;
        }
        const reasons = answer.errors ? Object.values(answer.errors).flat() : ["The upload was refused (" + code + ")."];
        reasons.forEach((reason) => refusal.append(el("p", {}, "Not uploaded: " + reason)));
        status.textContent = "";
      }, () => {
        refusal.replaceChildren(el("p", {}, "Not uploaded: the server could not be reached. The article is as it was."));
        status.textContent = "";
      })
      .finally(() => { send.disabled = false; });
  });

  return {
    dialog,
    // `placeHere` and `heading`: another use of the same picker (the lead picture); the body's by default.
    open(placeHere, heading) {
      placeAt = placeHere || place;
      title.textContent = heading || "Place a picture";
      send.textContent = placeHere ? "Upload and choose" : "Upload and place";
      dialog.showModal();
      search.focus();
      find();
      return true;
    },
    // A picture dropped or pasted into the body: its alt text and credit asked, then placed where it fell.
    uploadThenPlace(dropped, placeHere) {
      placeAt = placeHere;
      title.textContent = "Place a picture";
      send.textContent = "Upload and place";
      const files = new DataTransfer();
      files.items.add(dropped);
      file.files = files.files;
      refusal.replaceChildren();
      if (!dialog.open) dialog.showModal();
      alt.focus();
    },
  };
}
