/* Pictures from the library: their thumbnails for the body's figures, and the picker that
   finds one (by title, caption or credit) and places it. */
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

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([name, value]) => node.setAttribute(name, value));
  if (text) node.textContent = text;
  return node;
}

export function uploadPicture() {}

export function picturePicker(context, place) {
  const dialog = el("dialog", { class: "picture-dialog", "aria-labelledby": "picture-dialog-title" });
  const title = el("h2", { id: "picture-dialog-title" }, "Place a picture");
  const search = el("input", { type: "search", id: "picture-search", placeholder: "Title, caption or credit" });
  const searchLabel = el("label", { for: "picture-search" }, "Find a picture");
  const results = el("ul", { class: "picture-grid", "aria-label": "Pictures found" });
  const status = el("p", { class: "help", role: "status" });
  const close = el("button", { type: "button", class: "button" }, "Close");
  dialog.append(title, searchLabel, search, status, results, close);
  close.addEventListener("click", () => dialog.close());
  let timer = null;

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
            place({ kind: "image", value: String(picture.id) });
          });
          const item = el("li");
          item.append(choose);
          results.append(item);
        });
        status.textContent = data.pictures.length ? data.pictures.length + " found" : "No picture found.";
      });
  }
  search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(find, 200); });

  return {
    dialog,
    open() {
      dialog.showModal();
      search.focus();
      find();
      return true;
    },
    uploadThenPlace() {},
  };
}
